//! Telegram's HTML parse mode, as strictly as Telegram applies it: the fake
//! Bot API refuses a message it would refuse ("can't parse entities"), so a
//! reply with an unescaped `<` fails in every test, not only in production.

/// Tags the fake accepts: the subset thidua uses. Telegram accepts more (`u`,
/// `s`, `tg-spoiler`, ...), so a bot using those is refused here.
const ALLOWED: [&str; 5] = ["b", "i", "code", "pre", "a"];

fn shorten_at(s: &str) -> String {
    s.chars().take(20).collect()
}

/// Checks a message in HTML parse mode: known tags only, balanced, entities
/// only `&lt;`, `&gt;`, `&amp;`, `&quot;`, some visible text.
pub fn check(s: &str) -> Result<(), String> {
    let mut stack: Vec<&str> = Vec::new();
    let mut visible = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(['<', '>', '&']) {
        visible.push_str(&rest[..i]);
        let at = &rest[i..];
        if at.starts_with('>') {
            return Err(format!("raw '>' at {:?}", shorten_at(at)));
        }
        if at.starts_with('&') {
            let Some(e) = ["&lt;", "&gt;", "&amp;", "&quot;"]
                .into_iter()
                .find(|e| at.starts_with(e))
            else {
                return Err(format!("bad entity at {:?}", shorten_at(at)));
            };
            visible.push('x');
            rest = &at[e.len()..];
            continue;
        }
        let name_end = at[1..]
            .find(|c: char| c == '>' || c.is_whitespace())
            .map_or(at.len(), |j| j + 1);
        let name = &at[1..name_end];
        let end = at
            .find('>')
            .ok_or_else(|| format!("unclosed tag at {:?}", shorten_at(at)))?;
        let tag = &at[1..end];
        if let Some(closed) = name.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == closed && tag == name => {}
                other => return Err(format!("<{tag}> closes {other:?}")),
            }
        } else {
            if !ALLOWED.contains(&name) {
                return Err(format!(
                    "unsupported start tag {name:?} at {:?}",
                    shorten_at(at)
                ));
            }
            if tag.contains('<') {
                return Err(format!("'<' inside a tag: {tag:?}"));
            }
            let attrs = &tag[name.len()..];
            if name == "a" {
                let href = attrs
                    .strip_prefix(" href=\"")
                    .and_then(|h| h.strip_suffix('"'))
                    .ok_or_else(|| format!("<a> without href: {tag:?}"))?;
                if href.is_empty() || href.contains('"') {
                    return Err(format!("bad href {href:?}"));
                }
            } else if !attrs.is_empty() {
                return Err(format!("attributes on <{name}>"));
            }
            match stack.last() {
                Some(&"code") => return Err(format!("<{name}> inside <code>")),
                Some(&"pre") if name != "code" => return Err(format!("<{name}> inside <pre>")),
                Some(&"a") if name == "a" => return Err("<a> inside <a>".into()),
                _ => {}
            }
            stack.push(name);
        }
        rest = &at[end + 1..];
    }
    visible.push_str(rest);
    if !stack.is_empty() {
        return Err(format!("unclosed {stack:?}"));
    }
    if visible.trim().is_empty() {
        return Err("no visible text".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_telegram_refuses_is_refused() {
        assert!(check("<b>ok</b> &lt;=N").is_ok());
        assert!(check("use >=N, <=N").is_err());
        assert!(check("<b>open").is_err());
        assert!(check("<span>x</span>").is_err());
        assert!(check("a & b").is_err());
        assert!(check("<a href=\"https://t.me/x?start=1\">link</a>").is_ok());
    }
}
