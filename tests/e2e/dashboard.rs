//! The dashboard (issue 17): the `/standings` button, the API with its
//! `initData` checks, and the page itself in a real headless Chromium.

use crate::browser::Browser;
use crate::support::*;
use chrono::Duration as Days;
use serde_json::Value;
use std::path::{Path, PathBuf};
use thidua::clock::Clock;
use thidua::harness::FAKE_TOKEN;
use thidua::initdata::sign;

const WEBAPP: &str = "https://bot.example.vn/app";
const OTHER_TOKEN: &str = "555555555:AAOtherBotTokenOtherBotTokenOther_xx";

/// A bloc of three units, two heads who reported, served with its dashboard.
async fn bloc_with_reports() -> (Bot, thidua::serve::Http) {
    let mut b = Bot::with_units(3).await;
    b.add_targets().await;
    for (i, thu) in [(0, "95"), (1, "70")] {
        let p = head(i);
        b.join(&format!("U{i}"), &p).await;
        let r = b.private(&p, &format!("/report THU {thu}")).await;
        assert!(only_text(&r).starts_with("✅"), "{r:?}");
        let r = b.private(&p, "/report TSVM có").await;
        assert!(only_text(&r).starts_with("✅"), "{r:?}");
    }
    b.h.with_webapp(url::Url::parse(WEBAPP).expect("url"))
        .await
        .expect("restart");
    let http = b.h.serve_dashboard().await.expect("dashboard served");
    (b, http)
}

fn init_data(b: &Bot, p: &Person, token: &str) -> String {
    sign(p.id, &p.first_name, token, b.h.clock.now())
}

async fn api(http: &thidua::serve::Http, path: &str, init: Option<&str>) -> (u16, Value) {
    let mut r = reqwest::Client::new().get(format!("http://{}/app/api/v1/{path}", http.addr));
    if let Some(i) = init {
        r = r.header("Authorization", format!("tma {i}"));
    }
    let r = r.send().await.expect("GET");
    let status = r.status().as_u16();
    let body: Value = serde_json::from_slice(&r.bytes().await.expect("body")).expect("JSON");
    assert_eq!(body["version"], 1, "{body}");
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standings_in_private_carry_the_dashboard_button_and_the_group_gets_none() {
    let (mut b, http) = bloc_with_reports().await;
    let r = b.private(&admin(), "/standings").await;
    let markup = &r[0].body["reply_markup"]["inline_keyboard"][0][0];
    assert_eq!(markup["web_app"]["url"], WEBAPP, "{r:?}");
    assert!(
        markup["text"]
            .as_str()
            .unwrap_or("")
            .contains("Bảng xếp hạng")
    );
    let r = b.group(&admin(), "/standings").await;
    assert!(r[0].body.get("reply_markup").is_none(), "{r:?}");
    http.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_members_only_and_matches_the_standings() {
    let (mut b, http) = bloc_with_reports().await;
    let text = only_text(&b.private(&admin(), "/standings").await);
    let expected = standings_rows(&text);
    assert_eq!(expected.len(), 3, "{text}");

    let admin_init = init_data(&b, &admin(), FAKE_TOKEN);
    let (status, me) = api(&http, "me", Some(&admin_init)).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["lang"], "vi");
    assert_eq!(me["words"]["rank"], "Hạng");
    let bloc = me["blocs"][0]["id"].as_i64().expect("bloc id");
    let (status, s) = api(&http, &format!("blocs/{bloc}"), Some(&admin_init)).await;
    assert_eq!(status, 200, "{s}");
    let open = s["periods"]
        .as_array()
        .expect("periods")
        .iter()
        .find(|p| p["period"] == s["open"])
        .expect("the open period");
    let rows: Vec<(String, String)> = open["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap_or("").to_owned(),
                r["score_text"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(rows, expected, "the dashboard ranks as /standings does");

    // A unit: its targets, goals, values and achievement.
    let u0 = open["rows"][0]["unit_id"].as_i64().expect("unit id");
    let (status, u) = api(
        &http,
        &format!("blocs/{bloc}/units/{u0}"),
        Some(&admin_init),
    )
    .await;
    assert_eq!(status, 200, "{u}");
    assert_eq!(u["code"], "U0");
    let thu = u["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .find(|t| t["code"] == "THU")
        .expect("THU");
    assert_eq!(thu["goal"], "≥ 100%");
    let mid = &thu["periods"][0];
    assert_eq!(mid["value"], "95%");
    assert_eq!(mid["achievement"], 95.0);
    assert_eq!(thu["periods"][1]["value"], Value::Null);
    // Nothing reported for the year's end yet: not ranked there, no change.
    assert_eq!(u["periods"][1]["rank"], Value::Null, "{u}");
    assert_eq!(u["change"], Value::Null, "{u}");
    let r = b.private(&head(0), "/report final THU 100").await;
    assert!(only_text(&r).starts_with("✅"), "{r:?}");
    let (_, u) = api(
        &http,
        &format!("blocs/{bloc}/units/{u0}"),
        Some(&admin_init),
    )
    .await;
    assert_eq!(u["targets"][1]["periods"][1]["value"], "100%", "{u}");
    let by = u["change"]["by"].as_f64().expect("a change once reported");
    let (mid, fin) = (
        u["periods"][0]["score"].as_f64().unwrap_or(0.0),
        u["periods"][1]["score"].as_f64().unwrap_or(0.0),
    );
    assert!((by - (fin - mid)).abs() < 1e-9, "{u}");
    assert!(
        u["change"]["text"]
            .as_str()
            .is_some_and(|t| t.contains(',')),
        "{u}"
    );

    // A head sees the bloc too; the same head in English gets English words.
    let h1 = head(1);
    b.private(&h1, "/lang en").await;
    let (status, me) = api(&http, "me", Some(&init_data(&b, &h1, FAKE_TOKEN))).await;
    assert_eq!((status, me["lang"].clone()), (200, "en".into()), "{me}");
    assert_eq!(me["words"]["rank"], "Rank");

    // Someone outside the bloc: no blocs, and the bloc's data is refused.
    let stranger = init_data(&b, &outsider(), FAKE_TOKEN);
    let (status, me) = api(&http, "me", Some(&stranger)).await;
    assert_eq!(status, 200);
    assert_eq!(me["blocs"].as_array().map(Vec::len), Some(0));
    for path in [format!("blocs/{bloc}"), format!("blocs/{bloc}/units/{u0}")] {
        let (status, e) = api(&http, &path, Some(&stranger)).await;
        assert_eq!(
            (status, e["error"]["code"].clone()),
            (403, "forbidden".into()),
            "{e}"
        );
        assert!(e.get("periods").is_none() && e.get("targets").is_none());
    }
    // Not this bloc's unit, or not a number: not found.
    for path in [format!("blocs/{bloc}/units/999999"), "blocs/abc".into()] {
        let (status, e) = api(&http, &path, Some(&admin_init)).await;
        assert_eq!(
            (status, e["error"]["code"].clone()),
            (404, "not_found".into()),
            "{e}"
        );
    }

    // Forged, another bot's, stale, or missing initData: refused, nothing shown.
    let forged = admin_init.replace(&format!("%3A{}", admin().id), &format!("%3A{}", head(0).id));
    assert_ne!(forged, admin_init);
    let stale = sign(
        admin().id,
        "Admin",
        FAKE_TOKEN,
        b.h.clock.now() - Days::hours(25),
    );
    let other_bot = init_data(&b, &admin(), OTHER_TOKEN);
    for (init, code) in [
        (Some(forged.as_str()), "unauthorized"),
        (Some(other_bot.as_str()), "unauthorized"),
        (Some(stale.as_str()), "stale"),
        (None, "unauthorized"),
    ] {
        let (status, e) = api(&http, &format!("blocs/{bloc}"), init).await;
        assert_eq!(
            (status, e["error"]["code"].clone()),
            (401, code.into()),
            "{e}"
        );
        assert!(
            e["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(" / "))
        );
    }
    http.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_loads_nothing_from_elsewhere_and_weighs_under_200_kb() {
    let (_b, http) = bloc_with_reports().await;
    let mut total = 0;
    for (path, kind) in [
        ("/app", "text/html"),
        ("/app/app.js", "text/javascript"),
        ("/app/app.css", "text/css"),
    ] {
        let r = reqwest::get(format!("http://{}{path}", http.addr))
            .await
            .expect("GET");
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let headers = r.headers().clone();
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap_or("")
                .starts_with(kind)
        );
        let csp = headers["content-security-policy"].to_str().unwrap_or("");
        assert!(csp.contains("default-src 'self'"), "{csp}");
        let body = r.text().await.expect("body");
        for external in ["http://", "https://", "//cdn", "@import"] {
            assert!(
                !body.contains(&format!("src=\"{external}"))
                    && !body.contains(&format!("href=\"{external}"))
                    && !body.contains(&format!("url({external}")),
                "{path} loads from elsewhere"
            );
        }
        total += body.len();
    }
    assert_eq!(total, thidua::dashboard::first_load_bytes());
    assert!(total < 200 * 1024, "first load is {total} bytes");
    http.stop().await;
}

/// Where the browser test leaves its screenshots.
fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/dashboard");
    std::fs::create_dir_all(&dir).expect("artefact dir");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_the_standings_and_a_tapped_units_targets_in_a_real_browser() {
    let Some(chromium) = on_path("chromium").or_else(|| on_path("chromium-browser")) else {
        eprintln!("SKIPPED: no chromium on PATH (.ci/run installs it)");
        return;
    };
    let (mut b, http) = bloc_with_reports().await;
    let expected = standings_rows(&only_text(&b.private(&admin(), "/standings").await));
    let init = init_data(&b, &admin(), FAKE_TOKEN);
    let fragment = format!(
        "#tgWebAppData={}&tgWebAppThemeParams={}",
        urlencode(&init),
        urlencode(r##"{"bg_color":"#ffffff","text_color":"#222222","button_color":"#3390ec"}"##)
    );
    let base = format!("http://{}/app", http.addr);
    let shots = artefacts();
    let mut browser = Browser::launch(&chromium).await;

    // The one bloc opens at once: every unit with the score /standings gives.
    let tab = browser.open(&format!("{base}{fragment}")).await;
    let mid_rows = r#"document.querySelectorAll('table[data-period="mid"] tr.unit')"#;
    browser.wait_for(&tab, &format!("{mid_rows}.length")).await;
    let shown = browser
        .eval(
            &tab,
            &format!("[...{mid_rows}].map(r => [r.dataset.code, r.dataset.score])"),
        )
        .await;
    let shown: Vec<(String, String)> = serde_json::from_value(shown).expect("rows");
    assert_eq!(shown, expected, "the page ranks as /standings does");
    let bars = browser
        .eval(&tab, "document.querySelectorAll('svg.chart rect').length")
        .await;
    assert_eq!(bars, 3, "a bar per unit");
    let background = browser
        .eval(&tab, "getComputedStyle(document.body).backgroundColor")
        .await;
    assert_eq!(background, "rgb(255, 255, 255)", "Telegram's theme colour");
    let fits = browser
        .eval(&tab, "document.documentElement.scrollWidth <= 360")
        .await;
    assert_eq!(fits, true, "nothing wider than the phone");
    browser.screenshot(&tab, &shots.join("standings.png")).await;

    // A tap on the first unit: its targets with goals and values.
    browser.tap(&tab, r#"tr.unit[data-code="U0"]"#).await;
    browser
        .wait_for(&tab, r#"document.querySelector('[data-target="THU"]')"#)
        .await;
    let text = browser.eval(&tab, "document.body.innerText").await;
    let text = text.as_str().unwrap_or_default();
    for shown in [
        "U0 — Đơn vị số 0",
        "Chỉ tiêu",
        "≥ 100%",
        "95% · Đạt 95%",
        "chưa báo cáo",
    ] {
        assert!(text.contains(shown), "{shown:?} not in {text}");
    }
    browser.screenshot(&tab, &shots.join("unit.png")).await;
    // Back to the standings, as the back link does.
    browser.tap(&tab, "a.back").await;
    browser
        .wait_for(&tab, "document.querySelector('tr.unit')")
        .await;

    // An admin of two blocs first gets the list, and taps one.
    b.add_second_bloc().await;
    let tab = browser.open(&format!("{base}{fragment}")).await;
    browser
        .wait_for(&tab, "document.querySelectorAll('ul.blocs a').length === 2")
        .await;
    let names = browser
        .eval(
            &tab,
            "[...document.querySelectorAll('ul.blocs a')].map(a => a.textContent)",
        )
        .await;
    assert_eq!(
        names,
        serde_json::json!(["Khối thi đua kinh tế · 2026", "Khối văn hóa, xã hội · 2026"])
    );
    browser.screenshot(&tab, &shots.join("blocs.png")).await;
    browser.tap(&tab, "ul.blocs a").await;
    browser
        .wait_for(&tab, &format!("{mid_rows}.length === 3"))
        .await;

    // Forged initData: the refusal, and no data.
    let forged = init.replace("hash=", "hash=00");
    let tab = browser
        .open(&format!("{base}#tgWebAppData={}", urlencode(&forged)))
        .await;
    browser
        .wait_for(&tab, "document.querySelector('[data-error]')")
        .await;
    let text = browser.eval(&tab, "document.body.innerText").await;
    assert!(
        text.as_str().is_some_and(|t| t.contains("Telegram")),
        "{text}"
    );
    let data = browser
        .eval(
            &tab,
            "document.querySelectorAll('[data-code], [data-target]').length",
        )
        .await;
    assert_eq!(data, 0, "no data shown");
    browser.screenshot(&tab, &shots.join("refused.png")).await;
    browser.close().await;
    http.stop().await;
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
