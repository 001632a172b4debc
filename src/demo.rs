//! `thidua demo`: the real bot against the in-process fake Bot API, playing
//! a bloc of 11 units through setup, joins, signing, mid-year reports and
//! their review, year-end reports, the secret ballot, the proposals and the
//! minutes, printed as a transcript. No token, no network.

use anyhow::Context;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;
use std::io::Write;

use crate::clock::Clock;
use crate::harness::{FAKE_TOKEN, Harness};
use crate::text::plain;
use fake_bot_api::updates::{self, Person};
use fake_bot_api::{ApiCall, BOT_USERNAME};

/// The bloc's group chat.
pub const GROUP: i64 = -1_001_234_567_890;
/// The bloc's group title.
pub const GROUP_TITLE: &str = "Khối thi đua kinh tế, kỹ thuật";

/// The 11 units of the domain doc's bloc: code, name.
pub const UNITS: [(&str, &str); 11] = [
    ("TNMT", "Sở Tài nguyên và Môi trường"),
    ("SCT", "Sở Công thương"),
    ("NNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("GTVT", "Sở Giao thông vận tải"),
    ("TTTT", "Sở Thông tin và Truyền thông"),
    ("SXD", "Sở Xây dựng"),
    ("BQLKCN", "Ban quản lý các KCN tỉnh"),
    ("LMHTX", "Liên minh HTX tỉnh"),
    ("CDTNN", "Cục dự trữ nhà nước Khu vực Hà Bắc"),
    ("QDTPT", "Quỹ đầu tư phát triển tỉnh"),
    ("QPTD", "Quỹ phát triển đất tỉnh"),
];

/// The five shared targets: `/target add` arguments.
pub const TARGETS: [&str; 5] = [
    "HTNV percent >=100 30 Tỷ lệ CBCCVC hoàn thành nhiệm vụ trở lên",
    "XS percent >=15 20 Tỷ lệ CBCCVC hoàn thành xuất sắc nhiệm vụ",
    "TSVM yesno yes 20 Chi bộ, Đảng bộ đạt \"Trong sạch vững mạnh\"",
    "CQVH yesno yes 10 Cơ quan đạt chuẩn \"Cơ quan văn hóa\"",
    "THU percent >=100 20 Thu ngân sách đạt dự toán (% dự toán)",
];

/// Heads' names, one per unit.
pub const HEADS: [(&str, &str); 11] = [
    ("Trần", "Minh Đức"),
    ("Lê", "Thị Hoa"),
    ("Phạm", "Văn Hùng"),
    ("Hoàng", "Thu Trang"),
    ("Vũ", "Quang Huy"),
    ("Đặng", "Ngọc Lan"),
    ("Bùi", "Anh Tuấn"),
    ("Đỗ", "Thị Mai"),
    ("Ngô", "Văn Nam"),
    ("Dương", "Hải Yến"),
    ("Lý", "Thành Công"),
];

/// Mid-year reports per unit (index into UNITS): target, value as typed.
pub const MID_REPORTS: [&[(&str, &str)]; 11] = [
    &[
        ("HTNV", "100"),
        ("XS", "18,5"),
        ("TSVM", "có"),
        ("CQVH", "có"),
        ("THU", "60,9"),
    ],
    &[
        ("HTNV", "98.5%"),
        ("XS", "15"),
        ("TSVM", "yes"),
        ("CQVH", "có"),
        ("THU", "60.9%"),
    ],
    &[
        ("HTNV", "100"),
        ("XS", "12"),
        ("TSVM", "có"),
        ("CQVH", "không"),
        ("THU", "55"),
    ],
    &[
        ("HTNV", "97"),
        ("XS", "16"),
        ("TSVM", "có"),
        ("CQVH", "có"),
        ("THU", "48,2"),
    ],
    &[
        ("HTNV", "100"),
        ("XS", "20"),
        ("TSVM", "có"),
        ("CQVH", "có"),
        ("THU", "71"),
    ],
    &[("HTNV", "99"), ("XS", "10"), ("TSVM", "có")],
    &[
        ("HTNV", "100"),
        ("XS", "15"),
        ("TSVM", "có"),
        ("CQVH", "có"),
        ("THU", "50"),
    ],
    &[
        ("HTNV", "95"),
        ("XS", "8"),
        ("TSVM", "không"),
        ("CQVH", "có"),
        ("THU", "40"),
    ],
    &[
        ("HTNV", "100"),
        ("XS", "17"),
        ("TSVM", "có"),
        ("CQVH", "có"),
        ("THU", "62"),
    ],
    &[("HTNV", "100"), ("XS", "15")],
    &[],
];

/// Year-end revenue (THU) where it differs from mid-year: unit index, value.
pub const FINAL_THU: [(usize, &str); 9] = [
    (0, "112"),
    (1, "118,5"),
    (2, "101"),
    (3, "96"),
    (4, "104"),
    (5, "100"),
    (6, "99,5"),
    (7, "88"),
    (8, "103"),
];

/// The bloc admin.
pub fn admin() -> Person {
    Person::new(100_001, "Nguyễn", "Văn An")
}

/// The head of unit `i`.
pub fn head(i: usize) -> Person {
    let (first, last) = HEADS[i % HEADS.len()];
    Person::new(200_001 + i as i64, first, last)
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    // 07:00 UTC offset of Asia/Ho_Chi_Minh.
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .unwrap_or_default()
        - chrono::Duration::hours(7)
}

struct Script<'a, W: Write> {
    h: Harness,
    out: &'a mut W,
    /// Where to keep the files the bot sent (the chart and the workbook).
    save: Option<std::path::PathBuf>,
}

impl<W: Write> Script<'_, W> {
    async fn say(
        &mut self,
        who: &Person,
        where_: &str,
        update: Value,
        text: &str,
    ) -> anyhow::Result<Vec<ApiCall>> {
        let time = self.h.clock.now_local();
        writeln!(
            self.out,
            "\n[{time}] 👤 {} ({where_}): {text}",
            who.full_name()
        )?;
        let calls = self.h.send(update).await?;
        self.print(&calls)?;
        Ok(calls)
    }

    fn print(&mut self, calls: &[ApiCall]) -> anyhow::Result<()> {
        for c in calls {
            let to = match c.chat_id() {
                Some(GROUP) => "nhóm khối".to_owned(),
                Some(id) => format!("riêng {id}"),
                None => String::new(),
            };
            match c.method.as_str() {
                "sendMessage" | "editMessageText" => {
                    let verb = if c.method == "editMessageText" {
                        "✏️ sửa"
                    } else {
                        "🤖"
                    };
                    let body = plain(c.text()).replace('\n', "\n      ");
                    writeln!(self.out, "   {verb} → {to}: {body}")?;
                    // The first row of buttons, as the chat shows it.
                    let row: Vec<&str> = c
                        .body
                        .pointer("/reply_markup/inline_keyboard/0")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|b| b.get("text").and_then(Value::as_str))
                        .collect();
                    if !row.is_empty() {
                        writeln!(self.out, "      [ {} ]", row.join(" ] [ "))?;
                    }
                }
                "sendPhoto" | "sendDocument" => {
                    let caption = c.body.get("caption").and_then(Value::as_str).unwrap_or("");
                    for f in &c.files {
                        writeln!(
                            self.out,
                            "   📎 → {to}: {} [{}, {} kB]",
                            plain(caption),
                            f.file_name,
                            f.bytes.len() / 1024
                        )?;
                        if let Some(dir) = &self.save {
                            std::fs::write(dir.join(&f.file_name), &f.bytes)?;
                        }
                    }
                }
                "answerCallbackQuery" => {
                    let t = c.body.get("text").and_then(Value::as_str).unwrap_or("");
                    writeln!(self.out, "   🔔 {t}")?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Lets the scheduler run at `t` and prints what it sent.
    async fn tick_at(&mut self, t: DateTime<Utc>) -> anyhow::Result<()> {
        self.h.clock.set(t);
        writeln!(self.out, "\n[{}] ⏰ bộ lập lịch", self.h.clock.now_local())?;
        let from = self.h.api.call_count();
        self.h.scheduler()?.tick().await?;
        let calls = self.h.api.calls_since(from);
        if calls.is_empty() {
            writeln!(self.out, "   (không có gì cần gửi)")?;
        }
        self.print(&calls)
    }

    /// Head `i` picks `code` on the card `opened` sent them, and casts;
    /// printed when `show`.
    async fn vote(
        &mut self,
        opened: &[ApiCall],
        i: usize,
        code: &str,
        show: bool,
    ) -> anyhow::Result<()> {
        let who = head(i);
        let card = opened
            .iter()
            .find(|c| c.method == "sendMessage" && c.chat_id() == Some(who.id))
            .context("no ballot card")?;
        let data = |c: &ApiCall, label: &dyn Fn(&str) -> bool| {
            c.body
                .pointer("/reply_markup/inline_keyboard")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_array)
                .flatten()
                .find(|b| b.get("text").and_then(Value::as_str).is_some_and(label))
                .and_then(|b| b.get("callback_data").and_then(Value::as_str))
                .map(str::to_owned)
        };
        let unit = format!(" {code} — ");
        let picked = data(card, &|l| l.contains(&unit)).context("no unit button")?;
        let calls = self
            .h
            .send(updates::callback(&who, card.result.clone(), &picked))
            .await?;
        let edited = calls
            .iter()
            .find(|c| c.method == "editMessageText")
            .context("the card was not edited")?;
        let cast = data(edited, &|l| l.starts_with("🗳")).context("no cast button")?;
        if show {
            writeln!(
                self.out,
                "\n[{}] 👤 {} bấm «{code}» trên phiếu bầu",
                self.h.clock.now_local(),
                who.full_name()
            )?;
            self.print(&calls)?;
        }
        let calls = self
            .h
            .send(updates::callback(&who, card.result.clone(), &cast))
            .await?;
        if show {
            writeln!(
                self.out,
                "\n[{}] 👤 {} bấm «Bỏ phiếu»",
                self.h.clock.now_local(),
                who.full_name()
            )?;
            self.print(&calls)?;
        }
        Ok(())
    }

    async fn group(&mut self, who: &Person, text: &str) -> anyhow::Result<Vec<ApiCall>> {
        let u = updates::group(GROUP, GROUP_TITLE, who, text);
        self.say(who, "nhóm khối", u, text).await
    }

    async fn private(&mut self, who: &Person, text: &str) -> anyhow::Result<Vec<ApiCall>> {
        let u = updates::private(who, text);
        self.say(who, "chat riêng", u, text).await
    }
}

trait LocalNow {
    fn now_local(&self) -> String;
}

impl LocalNow for crate::clock::ManualClock {
    fn now_local(&self) -> String {
        use crate::clock::Clock;
        self.now()
            .with_timezone(&crate::config::DEFAULT_TZ)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    }
}

/// Where the demo says its dashboard is (Telegram would open it there).
const WEBAPP: &str = "https://thidua.example.vn/app";

/// The page at `url` as a 360-px-wide phone shows it, saved to `file` by
/// headless Chromium (`chromium` on PATH).
async fn screenshot(url: &str, file: &std::path::Path) -> anyhow::Result<()> {
    let out = tokio::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--window-size=360,780",
            "--virtual-time-budget=15000",
        ])
        .arg(format!("--screenshot={}", file.display()))
        .arg(url)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(120), out)
        .await
        .context("chromium took over 2 minutes")?
        .context("running chromium")?;
    anyhow::ensure!(out.status.success() && file.exists(), "chromium failed");
    Ok(())
}

fn invite_token(calls: &[ApiCall]) -> Option<String> {
    let text = calls.iter().find(|c| c.method == "sendMessage")?.text();
    let start = text.find("?start=")? + "?start=".len();
    Some(
        text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect(),
    )
}

/// Plays the scripted year and writes the transcript to `out`. When
/// `THIDUA_DEMO_SAVE` names a directory, the chart and workbook the bot sent
/// are saved there (that is how `docs/` was made).
pub async fn run(out: &mut impl Write) -> anyhow::Result<()> {
    let save = std::env::var_os("THIDUA_DEMO_SAVE").map(std::path::PathBuf::from);
    let dir = std::env::temp_dir().join(format!(
        "thidua-demo-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).context("creating a temporary directory")?;
    let db_url = format!("sqlite://{}", dir.join("demo.db").display());
    let result = play(out, &db_url, save).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn play(
    out: &mut impl Write,
    db_url: &str,
    save: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "thidua demo — bot thật, Bot API giả trong tiến trình (@{BOT_USERNAME}); không cần token, không cần mạng."
    )?;
    writeln!(out, "Khối: {GROUP_TITLE}, 11 đơn vị, năm 2026.")?;
    let h = Harness::start(db_url, at(2026, 3, 2, 8)).await?;
    h.api.set_member_status(GROUP, admin().id, "creator");
    let mut s = Script { h, out, save };
    let an = admin();

    writeln!(s.out, "\n=== 1. Lập khối, thêm đơn vị và chỉ tiêu ===")?;
    s.group(&an, "/newbloc Khối thi đua các sở, ban, ngành tham mưu và quản lý Nhà nước về kinh tế, kỹ thuật").await?;
    for (code, name) in UNITS {
        s.group(&an, &format!("/addunit {code} {name}")).await?;
    }
    for t in TARGETS {
        s.group(&an, &format!("/target add {t}")).await?;
    }
    s.group(&an, "/target set QDTPT THU >=80").await?;
    s.group(&an, "/targets").await?;

    writeln!(s.out, "\n=== 2. Mời trưởng đơn vị ===")?;
    for (i, (code, _)) in UNITS.iter().enumerate() {
        let calls = s.private(&an, &format!("/invite {code}")).await?;
        let token = invite_token(&calls).context("no invite in the reply")?;
        s.private(&head(i), &format!("/start {token}")).await?;
    }

    writeln!(s.out, "\n=== 3. Ký giao ước (tháng 3) ===")?;
    s.h.clock.set(at(2026, 3, 10, 9));
    for i in 0..9 {
        let calls = s.private(&head(i), "/pledge").await?;
        if i % 2 == 0 {
            let msg = calls
                .iter()
                .find(|c| c.method == "sendMessage")
                .map(|c| c.result.clone())
                .context("no pledge message")?;
            let who = head(i);
            writeln!(
                s.out,
                "\n[{}] 👤 {} bấm nút «Ký giao ước»",
                s.h.clock.now_local(),
                who.full_name()
            )?;
            let calls =
                s.h.send(updates::callback(
                    &who,
                    msg,
                    &format!("sign:{}:2026", i + 1),
                ))
                .await?;
            s.print(&calls)?;
        } else {
            s.private(&head(i), "/pledge sign").await?;
        }
    }
    s.group(&an, "/pledges").await?;
    s.group(&an, "/schedule").await?;

    writeln!(s.out, "\n=== 4. Nhắc hạn ký giao ước ===")?;
    s.tick_at(at(2026, 3, 17, 8)).await?;
    s.tick_at(at(2026, 3, 31, 8)).await?;
    s.tick_at(at(2026, 4, 1, 8)).await?;

    writeln!(s.out, "\n=== 5. Báo cáo sơ kết 6 tháng (tháng 7) ===")?;
    s.tick_at(at(2026, 7, 1, 8)).await?;
    for (i, reports) in MID_REPORTS.iter().enumerate() {
        for (j, (target, value)) in reports.iter().enumerate() {
            s.h.clock
                .set(at(2026, 7, 2 + i as u32, 9) + chrono::Duration::minutes(j as i64 * 5));
            s.private(&head(i), &format!("/report {target} {value}"))
                .await?;
        }
    }
    s.private(&head(1), "/status").await?;
    s.group(&an, "/units").await?;

    writeln!(s.out, "\n=== 5b. Thẩm định kết quả sơ kết ===")?;
    s.h.clock.set(at(2026, 7, 13, 9));
    s.group(
        &an,
        "/exempt QDTPT THU mid Quỹ không có nhiệm vụ thu ngân sách",
    )
    .await?;
    s.private(&head(0), "/submit mid").await?;
    s.group(&an, "/review mid").await?;
    s.private(&an, "/review TNMT mid").await?;
    s.group(
        &an,
        "/return TNMT mid Thiếu quyết định công nhận tỷ lệ hoàn thành nhiệm vụ",
    )
    .await?;
    s.private(&head(0), "/report mid HTNV 100 Kèm Quyết định 125/QĐ-STNMT")
        .await?;
    s.private(&head(0), "/submit mid").await?;
    s.group(&an, "/approve TNMT mid").await?;
    s.group(&an, "/points TNMT +2 mid Bằng khen của UBND tỉnh")
        .await?;
    // Evidence: a photo of the decision, captioned with the command.
    let who = head(0);
    writeln!(
        s.out,
        "\n[{}] 👤 {} gửi ảnh Quyết định 125/QĐ-STNMT, chú thích: /evidence HTNV mid",
        s.h.clock.now_local(),
        who.full_name()
    )?;
    let photo = updates::with_photo(
        updates::private(&who, "/evidence HTNV mid"),
        "AgADqd125",
        "qd125",
    );
    let calls = s.h.send(photo).await?;
    s.print(&calls)?;
    s.private(&an, "/evidence TNMT HTNV mid").await?;
    // A correction after approval, accepted by the admin.
    s.private(
        &head(0),
        "/correct THU mid 61,5 Số liệu đã được Kho bạc đối chiếu",
    )
    .await?;
    s.private(&an, "/corrections").await?;
    s.private(&an, "/accept 1").await?;

    s.tick_at(at(2026, 7, 14, 8)).await?;
    s.tick_at(at(2026, 7, 16, 8)).await?;

    writeln!(s.out, "\n=== 6. Xếp hạng sơ kết ===")?;
    s.h.clock.set(at(2026, 7, 16, 9));
    s.group(&an, "/standings mid").await?;
    s.private(&head(0).with_lang("en"), "/standings mid")
        .await?;
    s.group(&an, "/chart mid").await?;

    writeln!(s.out, "\n=== 7. Tổng kết năm (tháng 12) ===")?;
    s.private(&head(0), "/register TTLDXS CO_TINH").await?;
    s.private(&head(4), "/register TTLDXS BK_TINH").await?;
    for (i, reports) in MID_REPORTS.iter().enumerate().take(9) {
        s.h.clock.set(at(2026, 12, 1 + i as u32, 9));
        for (target, value) in reports.iter() {
            let value = FINAL_THU
                .iter()
                .find(|(u, _)| *u == i && *target == "THU")
                .map_or(*value, |(_, v)| *v);
            s.private(&head(i), &format!("/report final {target} {value}"))
                .await?;
        }
    }
    s.h.clock.set(at(2026, 12, 14, 9));
    for (i, code) in [(0, "TNMT"), (4, "TTTT")] {
        s.private(&head(i), "/submit final").await?;
        s.group(&an, &format!("/approve {code} final")).await?;
    }
    s.group(&an, "/standings final").await?;

    writeln!(s.out, "\n=== 8. Bình xét, suy tôn: bỏ phiếu kín ===")?;
    let calls = s
        .group(
            &an,
            "/ballot open 1 48 Suy tôn đơn vị dẫn đầu Khối thi đua năm 2026",
        )
        .await?;
    for i in 0..UNITS.len() {
        // Most pick TNMT; every third head picks SCT.
        let pick = if i % 3 == 1 { "SCT" } else { "TNMT" };
        s.vote(&calls, i, pick, i < 2).await?;
    }
    writeln!(
        s.out,
        "\n   (… {} trưởng đơn vị khác cũng chọn và bỏ phiếu như vậy.)",
        UNITS.len() - 2
    )?;
    s.group(&an, "/ballot").await?;
    // The ballot closes itself at its time: the scheduler posts the result.
    s.tick_at(at(2026, 12, 16, 9)).await?;
    s.private(
        &an,
        "/propose TNMT CO_TINH Dẫn đầu khối, được suy tôn bằng bỏ phiếu kín",
    )
    .await?;
    s.private(
        &an,
        "/propose SCT BK_TINH Hoàn thành xuất sắc nhiệm vụ thu ngân sách",
    )
    .await?;
    s.private(&an, "/propose TTTT TTLDXS Chuyển đổi số dẫn đầu khối")
        .await?;
    s.group(&an, "/proposals").await?;
    s.private(&an, "/minutes").await?;
    s.private(&an, "/export").await?;

    writeln!(
        s.out,
        "\n=== 9. Bảng xếp hạng trên điện thoại (Telegram Mini App) ==="
    )?;
    s.h.with_webapp(url::Url::parse(WEBAPP)?).await?;
    s.private(&an, "/standings final").await?;
    let http = s.h.serve_dashboard().await?;
    let init = crate::initdata::sign(an.id, &an.first_name, FAKE_TOKEN, s.h.clock.now());
    let init: String = url::form_urlencoded::byte_serialize(init.as_bytes()).collect();
    let page = format!("http://{}/app#tgWebAppData={init}", http.addr);
    writeln!(
        s.out,
        "   Nút mở trang {WEBAPP}, ở đây là http://{}/app: {} kB khi mở lần đầu, không tải gì từ trang khác; \
         mỗi yêu cầu mang initData do Telegram ký, máy chủ kiểm tra bằng token.",
        http.addr,
        crate::dashboard::first_load_bytes() / 1024 + 1
    )?;
    if let Some(dir) = &s.save {
        // Bloc 1 is the demo's bloc; unit 1 its first unit (TNMT).
        for (name, query) in [
            ("dashboard.png", ""),
            ("dashboard-don-vi.png", "?bloc=1&unit=1"),
        ] {
            let url = page.replacen("/app#", &format!("/app{query}#"), 1);
            match screenshot(&url, &dir.join(name)).await {
                Ok(()) => writeln!(s.out, "   📷 {name} (360 × 780, Chromium)")?,
                Err(e) => writeln!(s.out, "   (không chụp được {name}: {e:#})")?,
            }
        }
    }
    http.stop().await;
    s.h.stop().await;
    writeln!(s.out, "\nHết demo.")?;
    Ok(())
}
