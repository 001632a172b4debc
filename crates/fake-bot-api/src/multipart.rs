//! The `multipart/form-data` bodies teloxide sends with files.

use serde_json::Value;

use crate::calls::FilePart;

/// Parses a multipart/form-data body: text fields into a JSON object (numbers
/// and JSON values decoded), files aside.
pub(crate) fn multipart(body: &[u8], boundary: &str) -> (Value, Vec<FilePart>) {
    let mut fields = serde_json::Map::new();
    let mut files = Vec::new();
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let mut starts = Vec::new();
    let mut i = 0;
    while i + d.len() <= body.len() {
        if &body[i..i + d.len()] == d {
            starts.push(i);
            i += d.len();
        } else {
            i += 1;
        }
    }
    for w in starts.windows(2) {
        let part = &body[w[0] + d.len()..w[1]];
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        let Some(split) = part.windows(4).position(|x| x == b"\r\n\r\n") else {
            continue;
        };
        let headers = String::from_utf8_lossy(&part[..split]).to_string();
        let content = &part[split + 4..];
        let attr = |name: &str| -> Option<String> {
            let key = format!("{name}=\"");
            let start = headers.find(&key)? + key.len();
            let end = headers[start..].find('"')? + start;
            Some(headers[start..end].to_owned())
        };
        let Some(field) = attr("name") else { continue };
        match attr("filename") {
            Some(file_name) => files.push(FilePart {
                field,
                file_name,
                bytes: content.to_vec(),
            }),
            None => {
                let text = String::from_utf8_lossy(content).to_string();
                let value = text
                    .parse::<i64>()
                    .map(Value::from)
                    .ok()
                    .or_else(|| {
                        serde_json::from_str::<Value>(&text)
                            .ok()
                            .filter(|v| v.is_object() || v.is_array())
                    })
                    .unwrap_or(Value::String(text));
                fields.insert(field, value);
            }
        }
    }
    // teloxide sends `photo: "attach://<id>"` with the file in a part named <id>.
    for (key, value) in &fields {
        if let Some(id) = value.as_str().and_then(|v| v.strip_prefix("attach://")) {
            for f in files.iter_mut().filter(|f| f.field == id) {
                f.field = key.clone();
            }
        }
    }
    (Value::Object(fields), files)
}
