//! /schedule and /target confirm.

use crate::support::*;
use chrono::{DateTime, FixedOffset, TimeZone, Utc};

/// A wall-clock time at UTC+7 (Asia/Ho_Chi_Minh has no DST) in any year.
fn at_utc7(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(7 * 3600)
        .expect("offset")
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid time")
        .with_timezone(&Utc)
}

/// The `period` column of every report, oldest first.
async fn periods(b: &Bot) -> Vec<String> {
    let pool = b.h.app().expect("running").db.pool().clone();
    sqlx::query_scalar("SELECT period FROM reports ORDER BY id")
        .fetch_all(&pool)
        .await
        .expect("periods")
}

/// A bloc with unit U0 headed by `head(0)` and the two targets of `add_targets`.
async fn bloc_with_head() -> Bot {
    let mut b = Bot::with_units(1).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    b
}

const DEFAULT_2026: &str = "🗓 <b>Lịch năm 2026 — Khối thi đua kinh tế</b>\n\
    ⏰ Hạn ký giao ước: 31/03/2026\n\
    ⏰ Hạn báo cáo sơ kết 6 tháng: 15/07/2026\n\
    ⏰ Hạn báo cáo tổng kết năm: 05/12/2026\n\
    Nhắc trước hạn: 14,7,3,1 ngày, vào ngày hạn chót và ngày hôm sau (danh sách quá hạn gửi quản trị).\n\
    Giờ gửi: 08:00 (Asia/Ho_Chi_Minh).\n\
    👉 Lần gửi tới: 17/03/2026 08:00 — ký giao ước.";

#[tokio::test]
async fn schedule_in_the_group_shows_the_default_plan_with_the_next_send_to_anyone() {
    let mut b = bloc_with_head().await;
    // 2 March 08:00: the first send is 14 days before the pledge deadline.
    for who in [outsider(), admin(), head(0)] {
        let t = only_text(&b.group(&who, "/schedule").await);
        assert_eq!(t, DEFAULT_2026, "{who:?}");
    }
    // Reading stores nothing: no schedule row, no audit.
    assert_eq!(b.count("SELECT COUNT(*) FROM schedules").await, 0);
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'schedule'")
            .await,
        0
    );
}

#[tokio::test]
async fn schedule_in_private_answers_bloc_members_and_refuses_outsiders() {
    let mut b = bloc_with_head().await;
    for who in [admin(), head(0)] {
        let t = only_text(&b.private(&who, "/schedule").await);
        assert_eq!(t, DEFAULT_2026, "{who:?}");
    }
    b.refused(&outsider(), false, "/schedule", "chưa thuộc khối")
        .await;
}

#[tokio::test]
async fn schedule_marks_passed_deadlines_and_moves_the_next_send_along() {
    let mut b = Bot::with_bloc().await;
    // 17 March 08:00 is the first send itself; the next one is strictly after it.
    b.h.clock.set(local(3, 17, 8));
    let t = only_text(&b.group(&admin(), "/schedule").await);
    assert!(
        t.contains("👉 Lần gửi tới: 24/03/2026 08:00 — ký giao ước."),
        "{t}"
    );
    // On the deadline day the deadline is still open; the next send is the
    // overdue notice of the day after.
    b.h.clock.set(local(3, 31, 9));
    let t = only_text(&b.group(&admin(), "/schedule").await);
    assert!(t.contains("⏰ Hạn ký giao ước: 31/03/2026"), "{t}");
    assert!(
        t.contains("👉 Lần gửi tới: 01/04/2026 08:00 — ký giao ước."),
        "{t}"
    );
    // 1 April 06:00 in the bloc's zone is still 31 March in UTC: passed.
    b.h.clock.set(local(4, 1, 6));
    let t = only_text(&b.group(&admin(), "/schedule").await);
    assert!(t.contains("✔️ Hạn ký giao ước: 31/03/2026"), "{t}");
    assert!(
        t.contains("👉 Lần gửi tới: 01/04/2026 08:00 — ký giao ước."),
        "{t}"
    );
    // 1 April 09:00: the pledge overdue notice (1 April 08:00) is past, the
    // next send is 14 days before the mid deadline.
    b.h.clock.set(local(4, 1, 9));
    let t = only_text(&b.group(&admin(), "/schedule").await);
    assert!(t.contains("✔️ Hạn ký giao ước: 31/03/2026"), "{t}");
    assert!(
        t.contains("⏰ Hạn báo cáo sơ kết 6 tháng: 15/07/2026"),
        "{t}"
    );
    assert!(
        t.contains("👉 Lần gửi tới: 01/07/2026 08:00 — báo cáo sơ kết 6 tháng."),
        "{t}"
    );
    // 6 December after 08:00: the final overdue notice was the last send.
    b.h.clock.set(local(12, 6, 9));
    let t = only_text(&b.group(&admin(), "/schedule").await);
    assert!(
        t.contains("✔️ Hạn báo cáo sơ kết 6 tháng: 15/07/2026"),
        "{t}"
    );
    assert!(t.contains("✔️ Hạn báo cáo tổng kết năm: 05/12/2026"), "{t}");
    assert!(t.contains("Không còn lần gửi nào trong năm."), "{t}");
    assert!(!t.contains("👉"), "{t}");
}

#[tokio::test]
async fn schedule_set_mid_moves_the_deadline_and_is_audited() {
    let mut b = bloc_with_head().await;
    let t = only_text(&b.group(&admin(), "/schedule set mid 2026-07-20").await);
    assert!(t.starts_with("✅ Đã cập nhật lịch.\n"), "{t}");
    assert!(
        t.contains("⏰ Hạn báo cáo sơ kết 6 tháng: 20/07/2026"),
        "{t}"
    );
    // The other deadlines are untouched.
    assert!(t.contains("⏰ Hạn ký giao ước: 31/03/2026"), "{t}");
    assert!(t.contains("⏰ Hạn báo cáo tổng kết năm: 05/12/2026"), "{t}");
    let shown = only_text(&b.private(&head(0), "/schedule").await);
    assert!(
        shown.contains("⏰ Hạn báo cáo sơ kết 6 tháng: 20/07/2026")
            && !shown.contains("15/07/2026"),
        "{shown}"
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'schedule'")
            .await,
        1
    );
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'schedule' AND user_id = 100001 \
             AND subject = 'deadline mid 2026' AND old_value = '2026-07-15' AND new_value = '2026-07-20'"
        )
        .await,
        1
    );
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM schedules WHERE year = 2026 AND pledge_date = '2026-03-31' \
             AND mid_date = '2026-07-20' AND final_date = '2026-12-05'"
        )
        .await,
        1
    );
    // The deadline name is case-insensitive; pledge and final move too.
    let t = only_text(&b.private(&admin(), "/schedule set PLEDGE 2026-04-10").await);
    assert!(t.contains("⏰ Hạn ký giao ước: 10/04/2026"), "{t}");
    // 14 days before 10 April is 27 March: the first send after 2 March.
    assert!(
        t.contains("👉 Lần gửi tới: 27/03/2026 08:00 — ký giao ước."),
        "{t}"
    );
    let t = only_text(&b.group(&admin(), "/schedule set final 2026-12-15").await);
    assert!(t.contains("⏰ Hạn báo cáo tổng kết năm: 15/12/2026"), "{t}");
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'schedule'")
            .await,
        3
    );
}

#[tokio::test]
async fn a_report_on_17_july_is_mid_when_the_mid_deadline_is_20_july() {
    let mut b = bloc_with_head().await;
    let r = b.group(&admin(), "/schedule set mid 2026-07-20").await;
    assert!(only_text(&r).starts_with("✅"), "{r:?}");
    b.h.clock.set(local(7, 17, 8));
    let t = only_text(&b.private(&head(0), "/report THU 50").await);
    assert!(t.contains("(sơ kết 6 tháng)"), "{t}");
    assert_eq!(periods(&b).await, ["mid"]);
    // The deadline day itself is still mid, late in the evening.
    b.h.clock.set(local(7, 20, 23));
    b.private(&head(0), "/report THU 55").await;
    // Midnight of 21 July in the bloc's zone (still 20 July in UTC) is final.
    b.h.clock.set(local(7, 21, 0));
    let t = only_text(&b.private(&head(0), "/report THU 60").await);
    assert!(t.contains("(tổng kết năm)"), "{t}");
    assert_eq!(periods(&b).await, ["mid", "mid", "final"]);
}

#[tokio::test]
async fn a_report_on_17_july_is_final_with_the_default_deadline_until_mid_is_moved() {
    let mut b = bloc_with_head().await;
    b.h.clock.set(local(7, 17, 8));
    let t = only_text(&b.private(&head(0), "/report THU 50").await);
    assert!(t.contains("(tổng kết năm)"), "{t}");
    assert_eq!(periods(&b).await, ["final"]);
    // Moving the mid deadline past today reopens mid for the next report.
    let t = only_text(&b.group(&admin(), "/schedule set mid 2026-07-20").await);
    assert!(
        t.contains("⏰ Hạn báo cáo sơ kết 6 tháng: 20/07/2026"),
        "{t}"
    );
    // At 17 July 08:00 the 3-day send is now; the next one is 1 day before.
    assert!(
        t.contains("👉 Lần gửi tới: 19/07/2026 08:00 — báo cáo sơ kết 6 tháng."),
        "{t}"
    );
    let t = only_text(&b.private(&head(0), "/report THU 50").await);
    assert!(t.contains("(sơ kết 6 tháng)"), "{t}");
    assert_eq!(periods(&b).await, ["final", "mid"]);
}

#[tokio::test]
async fn schedule_remind_changes_the_reminder_days_and_the_next_send() {
    let mut b = Bot::with_bloc().await;
    let t = only_text(&b.group(&admin(), "/schedule remind 10,5").await);
    assert!(t.starts_with("✅"), "{t}");
    assert!(t.contains("Nhắc trước hạn: 10,5 ngày"), "{t}");
    // 10 days before 31 March.
    assert!(
        t.contains("👉 Lần gửi tới: 21/03/2026 08:00 — ký giao ước."),
        "{t}"
    );
    let t = only_text(&b.group(&outsider(), "/schedule").await);
    assert!(
        t.contains("Nhắc trước hạn: 10,5 ngày")
            && t.contains("👉 Lần gửi tới: 21/03/2026 08:00 — ký giao ước."),
        "{t}"
    );
    // Any order, spaces after commas; shown largest first. The 30-day send
    // (1 March) is already past on 2 March, so the next is 7 days before.
    let t = only_text(&b.private(&admin(), "/schedule remind 1, 30,7").await);
    assert!(t.contains("Nhắc trước hạn: 30,7,1 ngày"), "{t}");
    assert!(
        t.contains("👉 Lần gửi tới: 24/03/2026 08:00 — ký giao ước."),
        "{t}"
    );
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'schedule' AND subject = 'remind 2026' \
             AND old_value = '14,7,3,1' AND new_value = '10,5'"
        )
        .await,
        1
    );
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'schedule' AND subject = 'remind 2026' \
             AND old_value = '10,5' AND new_value = '30,7,1'"
        )
        .await,
        1
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM schedules WHERE remind_days = '30,7,1'")
            .await,
        1
    );
}

#[tokio::test]
async fn schedule_time_changes_the_send_time_of_the_next_send() {
    let mut b = Bot::with_bloc().await;
    let t = only_text(&b.group(&admin(), "/schedule time 07:30").await);
    assert!(t.starts_with("✅"), "{t}");
    assert!(t.contains("Giờ gửi: 07:30 (Asia/Ho_Chi_Minh)."), "{t}");
    assert!(
        t.contains("👉 Lần gửi tới: 17/03/2026 07:30 — ký giao ước."),
        "{t}"
    );
    let t = only_text(&b.group(&outsider(), "/schedule").await);
    assert!(
        t.contains("Giờ gửi: 07:30 (Asia/Ho_Chi_Minh).")
            && t.contains("👉 Lần gửi tới: 17/03/2026 07:30 — ký giao ước."),
        "{t}"
    );
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'schedule' AND subject = 'send time 2026' \
             AND old_value = '08:00' AND new_value = '07:30'"
        )
        .await,
        1
    );
    // On 17 March at 07:45 the 07:30 send has passed but an 08:00 one has not:
    // the send time decides which send is next.
    b.h.clock
        .set(local(3, 17, 7) + chrono::Duration::minutes(45));
    let t = only_text(&b.group(&admin(), "/schedule").await);
    assert!(
        t.contains("👉 Lần gửi tới: 24/03/2026 07:30 — ký giao ước."),
        "{t}"
    );
    // A one-digit hour is accepted and shown with two.
    let t = only_text(&b.group(&admin(), "/schedule time 8:00").await);
    assert!(t.contains("Giờ gửi: 08:00 (Asia/Ho_Chi_Minh)."), "{t}");
    assert!(
        t.contains("👉 Lần gửi tới: 17/03/2026 08:00 — ký giao ước."),
        "{t}"
    );
}

#[tokio::test]
async fn schedule_tz_changes_the_zone_and_the_next_send_follows_it() {
    let mut b = Bot::with_bloc().await;
    // 17 March 08:30 in Ho Chi Minh City = 01:30 UTC = 02:30 in Paris.
    b.h.clock
        .set(local(3, 17, 8) + chrono::Duration::minutes(30));
    let t = only_text(&b.group(&admin(), "/schedule").await);
    assert!(
        t.contains("👉 Lần gửi tới: 24/03/2026 08:00 — ký giao ước."),
        "{t}"
    );
    let t = only_text(&b.group(&admin(), "/schedule tz Europe/Paris").await);
    assert!(t.starts_with("✅"), "{t}");
    assert!(t.contains("Giờ gửi: 08:00 (Europe/Paris)."), "{t}");
    // 08:00 in Paris on 17 March is still ahead.
    assert!(
        t.contains("👉 Lần gửi tới: 17/03/2026 08:00 — ký giao ước."),
        "{t}"
    );
    let t = only_text(&b.group(&outsider(), "/schedule").await);
    assert!(
        t.contains("Giờ gửi: 08:00 (Europe/Paris).")
            && t.contains("👉 Lần gửi tới: 17/03/2026 08:00 — ký giao ước."),
        "{t}"
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM blocs WHERE tz = 'Europe/Paris'")
            .await,
        1
    );
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'schedule' AND subject = 'time zone 2026' \
             AND old_value = 'Asia/Ho_Chi_Minh' AND new_value = 'Europe/Paris'"
        )
        .await,
        1
    );
    // Time and zone together: 07:30 in Paris is 06:30 UTC, still ahead.
    let t = only_text(&b.group(&admin(), "/schedule time 07:30").await);
    assert!(t.contains("Giờ gửi: 07:30 (Europe/Paris)."), "{t}");
    assert!(
        t.contains("👉 Lần gửi tới: 17/03/2026 07:30 — ký giao ước."),
        "{t}"
    );
    // Back to Ho Chi Minh City: 07:30 there (00:30 UTC) has passed.
    let t = only_text(&b.group(&admin(), "/schedule tz Asia/Ho_Chi_Minh").await);
    assert!(t.contains("Giờ gửi: 07:30 (Asia/Ho_Chi_Minh)."), "{t}");
    assert!(
        t.contains("👉 Lần gửi tới: 24/03/2026 07:30 — ký giao ước."),
        "{t}"
    );
}

#[tokio::test]
async fn schedule_refuses_bad_deadlines_dates_times_days_and_zones() {
    let mut b = bloc_with_head().await;
    let set_usage = "/schedule set &lt;pledge|mid|final&gt; &lt;YYYY-MM-DD&gt;";
    for (cmd, why, usage) in [
        (
            "/schedule set soon 2026-07-20",
            "Hạn «soon» không hợp lệ",
            set_usage,
        ),
        (
            "/schedule set mid 2026-02-30",
            "Ngày «2026-02-30» không hợp lệ",
            set_usage,
        ),
        (
            "/schedule set mid 20/07/2026",
            "Ngày «20/07/2026» không hợp lệ",
            set_usage,
        ),
        (
            "/schedule set mid 2026-7-20",
            "Ngày «2026-7-20» không hợp lệ",
            set_usage,
        ),
        (
            "/schedule time 25:00",
            "Giờ «25:00» không hợp lệ",
            "/schedule time &lt;HH:MM&gt;",
        ),
        (
            "/schedule time 7h30",
            "Giờ «7h30» không hợp lệ",
            "/schedule time &lt;HH:MM&gt;",
        ),
        (
            "/schedule time 07:60",
            "Giờ «07:60» không hợp lệ",
            "/schedule time &lt;HH:MM&gt;",
        ),
        (
            "/schedule remind 0",
            "Danh sách ngày «0» không hợp lệ",
            "/schedule remind &lt;d1,d2,...&gt;",
        ),
        (
            "/schedule remind 7,7",
            "Danh sách ngày «7,7» không hợp lệ",
            "/schedule remind &lt;d1,d2,...&gt;",
        ),
        (
            "/schedule remind abc",
            "Danh sách ngày «abc» không hợp lệ",
            "/schedule remind &lt;d1,d2,...&gt;",
        ),
        (
            "/schedule remind 400",
            "Danh sách ngày «400» không hợp lệ",
            "/schedule remind &lt;d1,d2,...&gt;",
        ),
        (
            "/schedule remind 7,,3",
            "Danh sách ngày «7,,3» không hợp lệ",
            "/schedule remind &lt;d1,d2,...&gt;",
        ),
        (
            "/schedule remind 1,2,3,4,5,6,7,8,9,10,11",
            "Danh sách ngày «1,2,3,4,5,6,7,8,9,10,11» không hợp lệ",
            "/schedule remind &lt;d1,d2,...&gt;",
        ),
        (
            "/schedule tz Mars/Olympus",
            "Múi giờ «Mars/Olympus» không hợp lệ",
            "/schedule tz &lt;múi giờ IANA&gt;",
        ),
    ] {
        let reply = b.refused(&admin(), true, cmd, why).await;
        assert!(reply.contains(usage), "{cmd}: usage {usage:?} in {reply}");
    }
    // Nothing was stored and the plan is still the default.
    assert_eq!(b.count("SELECT COUNT(*) FROM schedules").await, 0);
    assert_eq!(
        only_text(&b.group(&admin(), "/schedule").await),
        DEFAULT_2026
    );
}

#[tokio::test]
async fn schedule_refuses_unknown_sub_commands_and_missing_arguments() {
    let mut b = bloc_with_head().await;
    let missing = "Lệnh thiếu hoặc sai tham số.";
    for (cmd, usage) in [
        ("/schedule frobnicate", "Cách dùng: /schedule"),
        ("/schedule frobnicate 2026-07-20", "Cách dùng: /schedule"),
        ("/schedule set", "/schedule set &lt;pledge|mid|final&gt;"),
        (
            "/schedule set mid",
            "/schedule set &lt;pledge|mid|final&gt;",
        ),
        ("/schedule remind", "/schedule remind &lt;d1,d2,...&gt;"),
        ("/schedule time", "/schedule time &lt;HH:MM&gt;"),
        ("/schedule time 07:30 09:00", "/schedule time &lt;HH:MM&gt;"),
        ("/schedule tz", "/schedule tz &lt;múi giờ IANA&gt;"),
        (
            "/schedule tz Europe/Paris Asia/Tokyo",
            "/schedule tz &lt;múi giờ IANA&gt;",
        ),
    ] {
        let reply = b.refused(&admin(), true, cmd, missing).await;
        assert!(reply.contains(usage), "{cmd}: usage {usage:?} in {reply}");
    }
    assert_eq!(b.count("SELECT COUNT(*) FROM schedules").await, 0);
}

#[tokio::test]
async fn schedule_changes_are_refused_to_non_admins() {
    let mut b = bloc_with_head().await;
    let not_admin = "Chỉ quản trị khối mới được làm việc này.";
    for cmd in [
        "/schedule set mid 2026-07-20",
        "/schedule remind 10,5",
        "/schedule time 07:30",
        "/schedule tz Europe/Paris",
    ] {
        // A unit head is a bloc member but not an admin, in private or in the group.
        b.refused(&head(0), false, cmd, not_admin).await;
        b.refused(&head(0), true, cmd, not_admin).await;
        // Anyone else in the group.
        b.refused(&outsider(), true, cmd, not_admin).await;
        // An outsider in private has no bloc at all.
        b.refused(&outsider(), false, cmd, "chưa thuộc khối").await;
    }
    // Even with a malformed argument, the first answer is who may do it.
    b.refused(&outsider(), true, "/schedule set soon x", not_admin)
        .await;
    assert_eq!(b.count("SELECT COUNT(*) FROM schedules").await, 0);
    assert_eq!(
        only_text(&b.group(&outsider(), "/schedule").await),
        DEFAULT_2026
    );
}

#[tokio::test]
async fn a_new_year_copies_last_years_targets_as_drafts_until_the_admin_confirms() {
    let mut b = bloc_with_head().await;
    // 2026 targets are confirmed: nothing to confirm.
    b.refused(
        &admin(),
        true,
        "/target confirm",
        "Không có chỉ tiêu nháp nào chờ xác nhận.",
    )
    .await;

    b.h.clock.set(at_utc7(2027, 1, 2, 8, 0));
    let t = only_text(&b.group(&admin(), "/targets").await);
    assert!(t.contains("năm 2027"), "{t}");
    assert!(
        t.contains("<b>TSVM</b> Chi bộ trong sạch vững mạnh — có · trọng số 40 · 📝 nháp"),
        "{t}"
    );
    assert!(
        t.contains("<b>THU</b> Thu ngân sách — ≥ 100% · trọng số 60 · 📝 nháp"),
        "{t}"
    );
    assert!(t.contains("/target confirm"), "{t}");
    assert_eq!(
        b.count("SELECT COUNT(*) FROM targets WHERE year = 2027 AND draft = TRUE")
            .await,
        2
    );
    // Last year's targets are untouched.
    assert_eq!(
        b.count("SELECT COUNT(*) FROM targets WHERE year = 2026 AND draft = FALSE")
            .await,
        2
    );
    // Listing again copies nothing more.
    let again = only_text(&b.private(&head(0), "/targets").await);
    assert_eq!(again, t);
    assert_eq!(
        b.count("SELECT COUNT(*) FROM targets WHERE year = 2027")
            .await,
        2
    );

    // Drafts are not a pledge yet.
    b.refused(
        &head(0),
        false,
        "/pledge sign",
        "Khối chưa có chỉ tiêu nào cho năm nay.",
    )
    .await;
    // Only an admin confirms.
    b.refused(
        &head(0),
        false,
        "/target confirm",
        "Chỉ quản trị khối mới được làm việc này.",
    )
    .await;
    b.refused(
        &outsider(),
        true,
        "/target confirm",
        "Chỉ quản trị khối mới được làm việc này.",
    )
    .await;

    // Extra words are not a confirmation.
    b.refused(
        &admin(),
        true,
        "/target confirm all",
        "Lệnh thiếu hoặc sai tham số.",
    )
    .await;

    let t = only_text(&b.group(&admin(), "/target confirm").await);
    assert_eq!(
        t,
        "✅ Đã xác nhận 2 chỉ tiêu năm 2027. Các đơn vị có thể ký giao ước."
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM targets WHERE year = 2027 AND draft = FALSE")
            .await,
        2
    );
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'target.confirm' \
             AND subject = '2027' AND new_value = '2 targets'"
        )
        .await,
        1
    );
    let t = only_text(&b.group(&outsider(), "/targets").await);
    assert!(
        !t.contains("nháp") && !t.contains("/target confirm") && t.contains("năm 2027"),
        "{t}"
    );

    let r = b.private(&head(0), "/pledge sign").await;
    let t = texts(&r);
    assert!(t[0].contains("năm 2027") && t[0].contains("1/1"), "{r:?}");
    assert_eq!(
        b.count("SELECT COUNT(*) FROM pledges WHERE year = 2027")
            .await,
        1
    );

    b.refused(
        &admin(),
        true,
        "/target confirm",
        "Không có chỉ tiêu nháp nào chờ xác nhận.",
    )
    .await;
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'target.confirm'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_new_year_has_its_own_default_schedule() {
    let mut b = Bot::with_bloc().await;
    b.group(&admin(), "/schedule set mid 2026-07-20").await;
    b.h.clock.set(at_utc7(2027, 1, 2, 8, 0));
    let t = only_text(&b.group(&outsider(), "/schedule").await);
    assert!(t.contains("Lịch năm 2027"), "{t}");
    assert!(t.contains("⏰ Hạn ký giao ước: 31/03/2027"), "{t}");
    assert!(
        t.contains("⏰ Hạn báo cáo sơ kết 6 tháng: 15/07/2027"),
        "{t}"
    );
    assert!(t.contains("⏰ Hạn báo cáo tổng kết năm: 05/12/2027"), "{t}");
    assert!(
        t.contains("👉 Lần gửi tới: 17/03/2027 08:00 — ký giao ước."),
        "{t}"
    );
    // A change now is for 2027.
    b.group(&admin(), "/schedule set mid 2027-07-10").await;
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'schedule' AND subject = 'deadline mid 2027'"
        )
        .await,
        1
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM schedules WHERE year = 2027 AND mid_date = '2027-07-10'")
            .await,
        1
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM schedules WHERE year = 2026 AND mid_date = '2026-07-20'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_scheduler_sends_at_the_next_send_that_schedule_shows() {
    let mut b = bloc_with_head().await;
    b.group(&admin(), "/schedule remind 10").await;
    b.group(&admin(), "/schedule time 07:30").await;
    let t = only_text(&b.group(&admin(), "/schedule tz Europe/Paris").await);
    // 10 days before 31 March, 07:30 in Paris (UTC+1 until 29 March).
    assert!(
        t.contains("👉 Lần gửi tới: 21/03/2026 07:30 — ký giao ước."),
        "{t}"
    );
    let at = Utc
        .with_ymd_and_hms(2026, 3, 21, 6, 30, 0)
        .single()
        .expect("time");
    let scheduler = b.h.scheduler().expect("running");
    // Not a minute before.
    b.h.clock.set(at - chrono::Duration::minutes(1));
    let before = b.h.api.call_count();
    let r = scheduler.tick().await.expect("tick");
    assert_eq!(r.sent, 0, "{:?}", b.h.api.calls_since(before));
    // At the time shown: the head of the unsigned unit is reminded and the
    // group gets its summary.
    b.h.clock.set(at);
    let before = b.h.api.call_count();
    let r = scheduler.tick().await.expect("tick");
    let calls = b.h.api.calls_since(before);
    assert!(r.sent >= 2, "{r:?} {calls:#?}");
    assert_eq!(sent_to(&calls, head(0).id).len(), 1, "{calls:#?}");
    assert_eq!(sent_to(&calls, GROUP).len(), 1, "{calls:#?}");
    // And /schedule moves on to the next one.
    let t = only_text(&b.group(&admin(), "/schedule").await);
    assert!(
        t.contains("👉 Lần gửi tới: 31/03/2026 07:30 — ký giao ước."),
        "{t}"
    );
}

#[tokio::test]
async fn a_zone_change_across_new_year_answers_with_the_plan_of_the_blocs_new_year() {
    let mut b = Bot::with_bloc().await;
    // 31 Dec 2026 20:00 UTC: already 1 Jan 2027 03:00 in Ho Chi Minh City,
    // still 31 Dec 2026 21:00 in Paris.
    b.h.clock.set(
        Utc.with_ymd_and_hms(2026, 12, 31, 20, 0, 0)
            .single()
            .expect("time"),
    );
    assert!(only_text(&b.group(&admin(), "/schedule").await).contains("Lịch năm 2027"));
    let changed = only_text(&b.group(&admin(), "/schedule tz Europe/Paris").await);
    let shown = only_text(&b.group(&admin(), "/schedule").await);
    // In its new zone the bloc is in 2026; the reply to the change must show
    // the plan /schedule shows from now on.
    assert!(shown.contains("Lịch năm 2026"), "{shown}");
    assert_eq!(
        changed.strip_prefix("✅ Đã cập nhật lịch.\n"),
        Some(shown.as_str()),
        "{changed}"
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'schedule' AND subject = 'time zone 2026'")
            .await,
        1
    );
}

#[tokio::test]
async fn changing_reminder_days_after_a_send_sends_no_stale_reminder() {
    let mut b = bloc_with_head().await;
    let scheduler = b.h.scheduler().expect("running");
    // 17 March 08:00: the 14-day pledge reminder goes out as planned.
    b.h.clock.set(local(3, 17, 8));
    let before = b.h.api.call_count();
    scheduler.tick().await.expect("tick");
    let calls = b.h.api.calls_since(before);
    let to_head = sent_to(&calls, head(0).id);
    assert_eq!(to_head.len(), 1, "{calls:#?}");
    assert!(to_head[0].contains("còn 14 ngày"), "{to_head:?}");
    // An hour later the admin changes the days to 15 and 7. The 15-day day
    // (16 March) is already behind: nothing is due until 24 March.
    b.h.clock.set(local(3, 17, 9));
    let t = only_text(&b.group(&admin(), "/schedule remind 15,7").await);
    assert!(
        t.contains("👉 Lần gửi tới: 24/03/2026 08:00 — ký giao ước."),
        "{t}"
    );
    let before = b.h.api.call_count();
    let r = scheduler.tick().await.expect("tick");
    let calls = b.h.api.calls_since(before);
    // The bot currently sends "còn 15 ngày" to the head and the group on
    // 17 March, 14 days before 31 March, a second reminder the same day.
    assert_eq!(r.sent, 0, "{:#?}", texts(&calls));
    assert!(texts(&calls).is_empty(), "{:#?}", texts(&calls));
    // The 7-day reminder comes on 24 March.
    b.h.clock.set(local(3, 24, 8));
    let before = b.h.api.call_count();
    scheduler.tick().await.expect("tick");
    let calls = b.h.api.calls_since(before);
    let to_head = sent_to(&calls, head(0).id);
    assert_eq!(to_head.len(), 1, "{calls:#?}");
    assert!(to_head[0].contains("còn 7 ngày"), "{to_head:?}");
}

#[tokio::test]
async fn schedule_set_refuses_a_date_outside_the_year_or_out_of_order_and_valid_moves_still_work() {
    let mut b = bloc_with_head().await;
    let usage = "/schedule set &lt;pledge|mid|final&gt; &lt;YYYY-MM-DD&gt;";
    for (cmd, why) in [
        (
            "/schedule set mid 2027-01-10",
            "Ngày 2027-01-10 không thuộc năm 2026",
        ),
        ("/schedule set final 2025-12-31", "không thuộc năm 2026"),
        ("/schedule set pledge 2027-03-31", "không thuộc năm 2026"),
        (
            "/schedule set mid 2026-03-01",
            "hạn báo cáo sơ kết 6 tháng không được sớm hơn hạn ký giao ước (31/03/2026)",
        ),
        (
            "/schedule set pledge 2026-07-16",
            "hạn ký giao ước không được muộn hơn hạn báo cáo sơ kết 6 tháng (15/07/2026)",
        ),
        (
            "/schedule set final 2026-07-14",
            "hạn báo cáo tổng kết năm không được sớm hơn hạn báo cáo sơ kết 6 tháng (15/07/2026)",
        ),
        (
            "/schedule set mid 2026-12-06",
            "hạn báo cáo sơ kết 6 tháng không được muộn hơn hạn báo cáo tổng kết năm (05/12/2026)",
        ),
    ] {
        let reply = b.refused(&admin(), true, cmd, why).await;
        assert!(reply.contains(usage), "{cmd}: {reply}");
    }
    assert_eq!(b.count("SELECT COUNT(*) FROM schedules").await, 0);
    assert_eq!(
        only_text(&b.group(&admin(), "/schedule").await),
        DEFAULT_2026
    );
    b.private(&admin(), "/lang en").await;
    b.refused(
        &admin(),
        false,
        "/schedule set mid 2027-01-10",
        "is not in 2026",
    )
    .await;
    b.refused(
        &admin(),
        false,
        "/schedule set mid 2026-03-01",
        "cannot be earlier than the pledge signing deadline (31/03/2026)",
    )
    .await;

    // Valid moves: a deadline may equal its neighbour, and moving one makes
    // room for the next.
    for cmd in [
        "/schedule set mid 2026-03-31",
        "/schedule set pledge 2026-02-01",
        "/schedule set mid 2026-03-01",
        "/schedule set final 2026-12-31",
    ] {
        let t = only_text(&b.group(&admin(), cmd).await);
        assert!(t.starts_with("✅"), "{cmd}: {t}");
    }
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM schedules WHERE year = 2026 AND pledge_date = '2026-02-01' \
             AND mid_date = '2026-03-01' AND final_date = '2026-12-31'"
        )
        .await,
        1
    );
}
