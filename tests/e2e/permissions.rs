//! Permissions (issue 5, item 4): every command × every role, in the chat the
//! command is meant for and in the wrong one, allowed or refused; a refused
//! command changes nothing. Also invites: 128-bit hex tokens, distinct, one
//! use, seven days.

use std::collections::HashSet;
use std::fmt;

use crate::support::*;

/// A group that is not a bloc (yet).
const FRESH_GROUP: i64 = -1_005_555_555_555;
const FRESH_TITLE: &str = "Nhóm mới";
const OTHER_TITLE: &str = "Khối hai";
/// Names of the bloc in GROUP and of the one in OTHER_GROUP.
const BLOC_NAME: &str = "Khối thi đua kinh tế";
const OTHER_NAME: &str = "Khối văn hóa, xã hội";

fn member() -> Person {
    Person::new(900_002, "Thành viên", "Nhóm")
}

fn foreign_admin() -> Person {
    Person::new(100_009, "Quản trị", "Khối hai")
}

fn foreign_head() -> Person {
    Person::new(400_001, "Trưởng", "Khối hai")
}

fn tg_admin() -> Person {
    Person::new(100_050, "Quản trị", "Telegram")
}

fn newcomer() -> Person {
    Person::new(300_001, "Người", "Mới")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Role {
    /// No relation to any bloc.
    Outsider,
    /// Writes in the bloc group, holds no role.
    Member,
    /// Head of U0 (the unit whose pledge the sign button signs).
    Head,
    /// Head of U1, another unit of the same bloc.
    OtherHead,
    /// Head of U0 of the bloc in OTHER_GROUP (same unit and target codes).
    ForeignHead,
    /// Bloc admin (ran /newbloc).
    Admin,
    /// Admin of the bloc in OTHER_GROUP.
    ForeignAdmin,
    /// Telegram administrator of GROUP and FRESH_GROUP, not a bloc admin.
    TgAdmin,
    /// A group admin writing on behalf of the group.
    Anonymous,
}

/// The columns of the matrix below, in this order.
const ROLES: [Role; 9] = [
    Role::Outsider,
    Role::Member,
    Role::Head,
    Role::OtherHead,
    Role::ForeignHead,
    Role::Admin,
    Role::ForeignAdmin,
    Role::TgAdmin,
    Role::Anonymous,
];

impl Role {
    fn person(self) -> Option<Person> {
        match self {
            Role::Outsider => Some(outsider()),
            Role::Member => Some(member()),
            Role::Head => Some(head(0)),
            Role::OtherHead => Some(head(1)),
            Role::ForeignHead => Some(foreign_head()),
            Role::Admin => Some(admin()),
            Role::ForeignAdmin => Some(foreign_admin()),
            Role::TgAdmin => Some(tg_admin()),
            Role::Anonymous => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Outsider => "outsider",
            Role::Member => "group member without a role",
            Role::Head => "head of U0",
            Role::OtherHead => "head of U1 (another unit)",
            Role::ForeignHead => "head of a unit of another bloc",
            Role::Admin => "bloc admin",
            Role::ForeignAdmin => "admin of another bloc",
            Role::TgAdmin => "Telegram group admin, not a bloc admin",
            Role::Anonymous => "anonymous group admin",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chat {
    /// The bloc's group.
    Group,
    /// The sender's private chat with the bot.
    Private,
    /// A group that is not a bloc.
    Fresh,
}

impl fmt::Display for Chat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Chat::Group => "the bloc group",
            Chat::Private => "private",
            Chat::Fresh => "a group that is not a bloc",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Allowed,
    Refused,
    /// Allowed, but acts on the sender's own (other) bloc: ours is untouched.
    Elsewhere,
}

/// Where the contract says a command is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Private,
    Group,
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmd {
    Text(&'static str),
    /// Sent as a reply to a message of `newcomer()` (private: no reply).
    Reply(&'static str),
    /// The text followed by a fresh invite to U2 (a unit without a head).
    WithInvite(&'static str),
    /// The sign button under U0's pledge, as shown to its head.
    SignButton,
    /// A photo with the text as its caption.
    Photo(&'static str),
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cmd::Text(t) => write!(f, "`{t}`"),
            Cmd::Reply(t) => write!(f, "`{t}` (replying to a newcomer)"),
            Cmd::WithInvite(t) => write!(f, "`{t} <invite to U2>`"),
            Cmd::SignButton => f.write_str("the sign button of U0's pledge"),
            Cmd::Photo(t) => write!(f, "a photo captioned `{t}`"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum World {
    /// 2 March 2026.
    Now,
    /// A year later, with 2026's targets waiting as drafts.
    NextYear,
    /// 2 March 2026, every head (of both blocs) has reported every target.
    Reported,
    /// As `Reported`, and every head has submitted for review.
    Submitted,
    /// As `Submitted`, and every submitted unit approved.
    Approved,
    /// As `Approved`, and the heads of U0 of both blocs asked correction #1.
    Corrected,
    /// 2 March 2026, a ballot open in both blocs.
    Balloting,
}

/// One line of the matrix: a command and, per chat, one letter per role in
/// the order of `ROLES` (A allowed, R refused, E allowed on the sender's
/// own other bloc, - not applicable); an empty string skips that chat.
struct Line {
    cmd: Cmd,
    write: bool,
    place: Place,
    world: World,
    group: &'static str,
    private: &'static str,
    fresh: &'static str,
}

#[allow(clippy::too_many_arguments)]
fn l(
    cmd: Cmd,
    write: bool,
    place: Place,
    world: World,
    group: &'static str,
    private: &'static str,
    fresh: &'static str,
) -> Line {
    Line {
        cmd,
        write,
        place,
        world,
        group,
        private,
        fresh,
    }
}

/// The contract's command table, role by role. Columns of each chat:
/// O outsider, M group member without a role, H head of U0, U head of U1,
/// X head of a unit of the other bloc, A bloc admin, Y admin of the other
/// bloc, T Telegram admin (not a bloc admin), N anonymous admin.
#[rustfmt::skip]
fn matrix() -> Vec<Line> {
    use Cmd::*;
    use Place::{Any, Group, Private};
    use World::{Approved, Balloting, Corrected, NextYear, Now, Reported, Submitted};
    const W: bool = true; // a write
    const R: bool = false; // a read
    vec![
        //                                                                   bloc group           private              group, no bloc
        // command                                   r/w place    world      O M H U X A Y T N    O M H U X A Y T N    O M H U X A Y T N
        l(Text("/start"),                             R, Private, Now,      "R R R R R R R R R", "A A A A A A A A -", "R R R R R R R R R"),
        l(WithInvite("/start"),                       W, Private, Now,      "R R R R R R R R R", "A A R R A A A A -", ""),
        l(WithInvite("/join"),                        W, Private, Now,      "R R R R R R R R R", "A A R R A A A A -", ""),
        l(Text("/help"),                              R, Any,     Now,      "A A A A A A A A A", "A A A A A A A A -", "A A A A A A A A A"),
        l(Text("/newbloc Khối mới"),                  W, Group,   Now,      "R R R R R R R R R", "R R R R R R R R -", "R R R R R R R A R"),
        l(Reply("/addadmin"),                         W, Group,   Now,      "R R R R R A R R R", "R R R R R R R R -", ""),
        l(Text("/addunit U9 Đơn vị mới"),             W, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", "R R R R R R R R R"),
        l(Text("/units"),                             R, Any,     Now,      "A A A A A A A A A", "R R A A E A E R -", "R R R R R R R R R"),
        l(Text("/invite U1"),                         W, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", "R R R R R R R R R"),
        l(Text("/target add KHAC number >=5 10 Mới"), W, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", "R R R R R R R R R"),
        l(Text("/target set U1 THU >=80"),            W, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", ""),
        l(Text("/target remove THU"),                 W, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", ""),
        l(Text("/target list"),                       R, Any,     Now,      "A A A A A A A A A", "R R A A E A E R -", "R R R R R R R R R"),
        l(Text("/targets"),                           R, Any,     Now,      "A A A A A A A A A", "R R A A E A E R -", "R R R R R R R R R"),
        l(Text("/target confirm"),                    W, Any,     NextYear, "R R R R R A R R R", "R R R R R A E R -", ""),
        l(Text("/pledge"),                            R, Private, Now,      "R R R R R R R R R", "R R A A E R R R -", ""),
        l(Text("/pledge sign"),                       W, Private, Now,      "R R R R R R R R R", "R R A A E R R R -", ""),
        l(SignButton,                                 W, Private, Now,      "",                  "R R A R R R R R -", ""),
        l(Text("/pledges"),                           R, Any,     Now,      "A A A A A A A A A", "R R A A E A E R -", "R R R R R R R R R"),
        l(Text("/report THU 50"),                     W, Private, Now,      "R R R R R R R R R", "R R A A E R R R -", ""),
        l(Text("/status"),                            R, Private, Now,      "R R R R R R R R R", "R R A A E R R R -", ""),
        l(Text("/standings"),                         R, Any,     Now,      "A A A A A A A A A", "R R A A E A E R -", "R R R R R R R R R"),
        l(Text("/schedule"),                          R, Any,     Now,      "A A A A A A A A A", "R R A A E A E R -", "R R R R R R R R R"),
        l(Text("/schedule set mid 2026-07-20"),       W, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", ""),
        l(Text("/schedule remind 10,5,1"),            W, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", ""),
        l(Text("/schedule time 09:30"),               W, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", ""),
        l(Text("/schedule tz Asia/Bangkok"),          W, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", ""),
        l(Text("/bloc"),                              R, Private, Now,      "R R R R R R R R R", "R R A A E A E R -", ""),
        l(Text("/bloc Khối thi đua kinh tế"),         W, Private, Now,      "R R R R R R R R R", "R R A A R A R R -", ""),
        l(Text("/lang en"),                           W, Any,     Now,      "A A A A A A A A R", "A A A A A A A A -", "A A A A A A A A R"),
        l(Text("/titles"),                            R, Any,     Now,      "A A A A A A A A A", "A A A A A A A A -", "A A A A A A A A A"),
        l(Text("/register TTLDXS"),                   W, Private, Now,      "R R R R R R R R R", "R R A A E R R R -", ""),
        l(Text("/report"),                            W, Private, Now,      "R R R R R R R R R", "R R A A E R R R -", ""),
        l(Text("/chart"),                             R, Any,     Now,      "A A A A A A A A A", "R R A A E A E R -", "R R R R R R R R R"),
        l(Text("/export"),                            R, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", "R R R R R R R R R"),
        l(Text("/history"),                           R, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", "R R R R R R R R R"),
        l(Text("/submit"),                            W, Private, Reported, "R R R R R R R R R", "R R A A E R R R -", ""),
        l(Text("/review"),                            R, Any,     Submitted,"R R R R R A R R R", "R R R R R A E R -", "R R R R R R R R R"),
        l(Text("/review U0"),                         R, Any,     Submitted,"R R R R R A R R R", "R R R R R A E R -", ""),
        l(Text("/approve U0"),                        W, Any,     Submitted,"R R R R R A R R R", "R R R R R A E R -", "R R R R R R R R R"),
        l(Text("/return U0 Thiếu minh chứng"),        W, Any,     Submitted,"R R R R R A R R R", "R R R R R A E R -", ""),
        l(Text("/exempt U0 THU Không áp dụng"),       W, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", "R R R R R R R R R"),
        l(Text("/points U0 +1 Cờ thi đua"),           W, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", "R R R R R R R R R"),
        l(Text("/points U0"),                         R, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", ""),
        l(Text("/correct THU 75 Số liệu mới"),        W, Private, Approved, "R R R R R R R R R", "R R A A E R R R -", ""),
        l(Text("/corrections"),                       R, Any,     Corrected,"R R R R R A R R R", "R R R R R A E R -", "R R R R R R R R R"),
        l(Text("/accept 1"),                          W, Any,     Corrected,"R R R R R A R R R", "R R R R R A E R -", "R R R R R R R R R"),
        l(Text("/reject 1 Chưa có chứng từ"),         W, Any,     Corrected,"R R R R R A R R R", "R R R R R A E R -", ""),
        l(Photo("/evidence THU"),                     W, Private, Now,      "R R R R R R R R R", "R R A A E R R R -", ""),
        l(Text("/evidence U0 THU"),                   R, Private, Now,      "R R R R R R R R R", "R R A A E A E R -", ""),
        l(Text("/ballot open 1 24 Suy tôn"),          W, Group,   Now,      "R R R R R A R R R", "R R R R R R R R -", "R R R R R R R R R"),
        l(Text("/ballot"),                            R, Any,     Balloting,"A A A A A A A A A", "R R A A E A E R -", "R R R R R R R R R"),
        l(Text("/ballot close"),                      W, Any,     Balloting,"R R R R R A R R R", "R R R R R A E R -", "R R R R R R R R R"),
        l(Text("/propose U0 CO_TINH Dẫn đầu"),        W, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", "R R R R R R R R R"),
        l(Text("/propose remove U0 CO_TINH"),         W, Any,     Balloting,"R R R R R A R R R", "R R R R R A E R -", ""),
        l(Text("/proposals"),                         R, Any,     Now,      "A A A A A A A A A", "R R A A E A E R -", "R R R R R R R R R"),
        l(Text("/minutes"),                           R, Any,     Now,      "R R R R R A R R R", "R R R R R A E R -", "R R R R R R R R R"),
    ]
}

#[derive(Clone, Copy, Debug)]
struct Case {
    role: Role,
    chat: Chat,
    cmd: Cmd,
    write: bool,
    place: Place,
    world: World,
    expect: Expect,
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} in {}: {} (expected {:?})",
            self.role, self.chat, self.cmd, self.expect
        )
    }
}

impl Case {
    /// What a refusal must say, when the reason follows from the case alone.
    fn reason(&self) -> Option<&'static str> {
        match (self.place, self.chat) {
            (Place::Private, Chat::Group | Chat::Fresh) => Some("trò chuyện riêng"),
            (Place::Group, Chat::Private) => Some("trong nhóm"),
            _ if self.role == Role::Anonymous && self.write => Some("ẩn danh"),
            _ => None,
        }
    }
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for l in matrix() {
        let mut roles_seen = HashSet::new();
        for (chat, row) in [
            (Chat::Group, l.group),
            (Chat::Private, l.private),
            (Chat::Fresh, l.fresh),
        ] {
            if row.is_empty() {
                continue;
            }
            let cells: Vec<&str> = row.split_whitespace().collect();
            assert_eq!(cells.len(), ROLES.len(), "{}: row {row:?}", l.cmd);
            for (role, cell) in ROLES.into_iter().zip(cells) {
                let expect = match cell {
                    "A" => Expect::Allowed,
                    "R" => Expect::Refused,
                    "E" => Expect::Elsewhere,
                    "-" => continue,
                    other => panic!("{}: bad cell {other:?}", l.cmd),
                };
                roles_seen.insert(role);
                out.push(Case {
                    role,
                    chat,
                    cmd: l.cmd,
                    write: l.write,
                    place: l.place,
                    world: l.world,
                    expect,
                });
            }
        }
        // An anonymous admin exists only in groups (and presses no buttons).
        let roles = if l.group.is_empty() && l.fresh.is_empty() {
            ROLES.len() - 1
        } else {
            ROLES.len()
        };
        assert_eq!(roles_seen.len(), roles, "{}: a role is missing", l.cmd);
    }
    out
}

/// Two blocs. In GROUP: units U0 (head(0)), U1 (head(1)), U2 (no head), the
/// two targets of `add_targets`. In OTHER_GROUP: `foreign_admin()`, units U0
/// (`foreign_head()`) and U1, the same two targets. `tg_admin()` is a
/// Telegram administrator of GROUP and FRESH_GROUP.
async fn world(w: World) -> Bot {
    let mut b = Bot::with_units(3).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    b.join("U1", &head(1)).await;
    let a2 = foreign_admin();
    b.h.api.set_member_status(OTHER_GROUP, a2.id, "creator");
    for t in [
        "/newbloc Khối văn hóa, xã hội",
        "/addunit U0 Đơn vị khối hai số 0",
        "/addunit U1 Đơn vị khối hai số 1",
        "/target add TSVM yesno yes 40 Chi bộ trong sạch vững mạnh",
        "/target add THU percent >=100 60 Thu ngân sách",
    ] {
        let r = b
            .send(updates::group(OTHER_GROUP, OTHER_TITLE, &a2, t))
            .await;
        assert!(only_text(&r).starts_with("✅"), "{t}: {r:?}");
    }
    let token = invite_token(&b.private(&a2, "/invite U0").await);
    let r = b.private(&foreign_head(), &format!("/join {token}")).await;
    assert!(sent_to(&r, foreign_head().id)[0].starts_with("✅"), "{r:?}");
    for chat in [GROUP, FRESH_GROUP] {
        b.h.api
            .set_member_status(chat, tg_admin().id, "administrator");
    }
    if w == World::NextYear {
        b.h.clock.advance(chrono::Duration::days(365));
    }
    if matches!(
        w,
        World::Reported | World::Submitted | World::Approved | World::Corrected
    ) {
        for p in [head(0), head(1), foreign_head()] {
            for cmd in ["/report TSVM yes", "/report THU 50"] {
                let r = b.private(&p, cmd).await;
                assert!(only_text(&r).starts_with("✅"), "{cmd}: {r:?}");
            }
            if w != World::Reported {
                let r = b.private(&p, "/submit").await;
                assert!(sent_to(&r, p.id)[0].starts_with("📨"), "{r:?}");
            }
        }
    }
    if matches!(w, World::Approved | World::Corrected) {
        for (chat, title, who, unit) in [
            (GROUP, TITLE, admin(), "U0"),
            (GROUP, TITLE, admin(), "U1"),
            (OTHER_GROUP, OTHER_TITLE, a2.clone(), "U0"),
        ] {
            let text = format!("/approve {unit}");
            let r = b.send(updates::group(chat, title, &who, &text)).await;
            assert!(sent_to(&r, chat)[0].starts_with("✅"), "{r:?}");
        }
    }
    if w == World::Balloting {
        // A ballot open, and U0 proposed, in both blocs.
        for (chat, title, who) in [
            (GROUP, TITLE, admin()),
            (OTHER_GROUP, OTHER_TITLE, a2.clone()),
        ] {
            for text in ["/ballot open 1 24 Suy tôn", "/propose U0 CO_TINH Dẫn đầu"] {
                let r = b.send(updates::group(chat, title, &who, text)).await;
                assert!(
                    sent_to(&r, chat)[0].starts_with('🗳') || sent_to(&r, chat)[0].starts_with('🏅'),
                    "{r:?}"
                );
            }
        }
    }
    if w == World::Corrected {
        for p in [head(0), foreign_head()] {
            let r = b.private(&p, "/correct THU 75 Số liệu kho bạc").await;
            assert!(sent_to(&r, p.id)[0].starts_with("✏️"), "{r:?}");
        }
    }
    b
}

/// Every row of bloc `chat`'s tables (and of the tables hanging off its units).
async fn bloc_rows(b: &Bot, chat: i64) -> String {
    let pool = b.h.app().expect("running").db.pool().clone();
    let bloc = format!("(SELECT id FROM blocs WHERE chat_id = {chat})");
    let units = format!("(SELECT id FROM units WHERE bloc_id = {bloc})");
    let mut out = String::new();
    for (table, filter) in [
        ("blocs", format!("id = {bloc}")),
        ("bloc_admins", format!("bloc_id = {bloc}")),
        ("units", format!("bloc_id = {bloc}")),
        ("invites", format!("unit_id IN {units}")),
        ("targets", format!("bloc_id = {bloc}")),
        ("unit_goals", format!("unit_id IN {units}")),
        ("pledges", format!("unit_id IN {units}")),
        ("reviews", format!("unit_id IN {units}")),
        ("exemptions", format!("unit_id IN {units}")),
        ("points", format!("unit_id IN {units}")),
        ("corrections", format!("bloc_id = {bloc}")),
        ("evidence", format!("unit_id IN {units}")),
        ("reports", format!("unit_id IN {units}")),
        ("schedules", format!("bloc_id = {bloc}")),
        ("audit_log", format!("bloc_id = {bloc}")),
        ("rollovers", format!("bloc_id = {bloc}")),
        ("ballots", format!("bloc_id = {bloc}")),
        (
            "ballot_counts",
            format!("ballot_id IN (SELECT id FROM ballots WHERE bloc_id = {bloc})"),
        ),
        (
            "ballot_voters",
            format!("ballot_id IN (SELECT id FROM ballots WHERE bloc_id = {bloc})"),
        ),
        ("proposals", format!("bloc_id = {bloc}")),
    ] {
        let rows = table_rows(&pool, table, &filter).await;
        out.push_str(&format!("{table}: {}\n", rows.join(" ")));
    }
    out
}

/// A snapshot without the tables named.
fn without(snapshot: &str, tables: &[&str]) -> String {
    snapshot
        .lines()
        .filter(|l| !tables.iter().any(|t| l.starts_with(&format!("{t}:"))))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rows of `after` that are not in `before` (+), and the other way round (-).
fn diff(before: &str, after: &str) -> String {
    // A snapshot line is `table: [row] [row] ...`.
    fn rows(snapshot: &str) -> Vec<String> {
        snapshot
            .lines()
            .flat_map(|l| {
                let (table, rows) = l.split_once(": ").unwrap_or((l, ""));
                rows.split("] [")
                    .filter(|r| !r.is_empty())
                    .map(move |r| format!("{table}: [{}]", r.trim_matches(['[', ']'])))
            })
            .collect()
    }
    let (b, a) = (rows(before), rows(after));
    let mut out = String::new();
    for r in b.iter().filter(|r| !a.contains(r)) {
        out.push_str(&format!("\n      - {r}"));
    }
    for r in a.iter().filter(|r| !b.contains(r)) {
        out.push_str(&format!("\n      + {r}"));
    }
    out
}

/// Sets up what the command needs (outside the snapshot) and builds its
/// update; returns it with the chat replies are expected in.
async fn prepare(b: &mut Bot, c: &Case) -> (serde_json::Value, i64) {
    let (chat_id, title) = match c.chat {
        Chat::Group => (GROUP, TITLE),
        Chat::Fresh => (FRESH_GROUP, FRESH_TITLE),
        Chat::Private => (c.role.person().map_or(0, |p| p.id), ""),
    };
    let text = match c.cmd {
        Cmd::Text(t) | Cmd::Reply(t) | Cmd::Photo(t) => t.to_owned(),
        Cmd::WithInvite(t) => {
            let token = invite_token(&b.private(&admin(), "/invite U2").await);
            format!("{t} {token}")
        }
        Cmd::SignButton => {
            let r = b.private(&head(0), "/pledge").await;
            let data = r[0].body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                .as_str()
                .expect("a sign button under the pledge")
                .to_owned();
            let p = c.role.person().expect("a person presses buttons");
            return (updates::callback(&p, r[0].result.clone(), &data), p.id);
        }
    };
    let replied = || {
        updates::message(
            updates::group_chat(chat_id, title),
            newcomer().json(),
            "Chào cả nhóm",
        )
    };
    let update = match (c.role.person(), c.chat) {
        (None, Chat::Private) => unreachable!("no anonymous sender in private"),
        (None, _) => {
            let mut u = updates::anonymous_admin(chat_id, title, &text);
            if matches!(c.cmd, Cmd::Reply(_)) {
                u["message"]["reply_to_message"] = replied();
            }
            u
        }
        (Some(p), Chat::Private) => updates::private(&p, &text),
        (Some(p), _) if matches!(c.cmd, Cmd::Reply(_)) => {
            updates::group_reply(chat_id, title, &p, &text, replied())
        }
        (Some(p), _) => updates::group(chat_id, title, &p, &text),
    };
    let update = match c.cmd {
        Cmd::Photo(_) => updates::with_photo(update, "perm-photo", "perm-photo-u"),
        _ => update,
    };
    (update, chat_id)
}

/// Runs one case on `b`; the error names the case, what went wrong and the reply.
async fn run_case(b: &mut Bot, c: &Case) -> Result<(), String> {
    let (update, chat_id) = prepare(b, c).await;
    let before = b.snapshot().await;
    // The bloc an allowed command must leave alone: the other one, or ours
    // when the sender acts on their own other bloc.
    let (untouched_chat, untouched_name) = match c.expect {
        Expect::Elsewhere => (GROUP, BLOC_NAME),
        _ => (OTHER_GROUP, OTHER_NAME),
    };
    let untouched = match c.expect {
        Expect::Refused => String::new(),
        _ => bloc_rows(b, untouched_chat).await,
    };
    let calls = b.send(update).await;
    let after = b.snapshot().await;

    let all = texts(&calls);
    let mine = sent_to(&calls, chat_id);
    let edited = calls.iter().any(|c| c.method == "editMessageText");
    let (reply, refusal) = if c.cmd == Cmd::SignButton {
        let answer = calls
            .iter()
            .find(|c| c.method == "answerCallbackQuery")
            .and_then(|a| a.body["text"].as_str())
            .unwrap_or("<callback not answered>")
            .to_owned();
        let refusal = answer.starts_with("⚠️");
        (format!("{answer} | messages: {all:?}"), refusal)
    } else {
        match mine.first() {
            Some(r) => (r.clone(), r.starts_with("⚠️")),
            None => (format!("<no reply in this chat; sent: {all:?}>"), false),
        }
    };

    let mut problems = Vec::new();
    match c.expect {
        Expect::Refused => {
            if !refusal {
                problems.push("not refused".to_owned());
            } else {
                if all.len() != 1 || mine.len() != 1 {
                    problems.push(format!("expected one reply, in this chat; sent {all:?}"));
                }
                let text = mine.first().map_or("", String::as_str);
                if !text.starts_with("⚠️") {
                    problems.push("the chat message is no ⚠️ refusal".to_owned());
                }
                if !text.contains("Cách dùng") {
                    problems.push("no usage in the refusal".to_owned());
                }
                if let Some(why) = c.reason().filter(|w| !text.contains(w)) {
                    problems.push(format!("the refusal does not say {why:?}"));
                }
                if edited {
                    problems.push("the pledge message was edited".to_owned());
                }
            }
            if before != after {
                problems.push(format!(
                    "a refused command changed state:{}",
                    diff(&before, &after)
                ));
            }
        }
        Expect::Allowed | Expect::Elsewhere => {
            if refusal || (c.cmd != Cmd::SignButton && mine.is_empty()) {
                problems.push("not allowed".to_owned());
            }
            if c.cmd == Cmd::SignButton && !refusal && !edited {
                problems.push("the pledge message was not edited".to_owned());
            }
            let now = bloc_rows(b, untouched_chat).await;
            if untouched != now {
                problems.push(format!(
                    "{untouched_name} changed:{}",
                    diff(&untouched, &now)
                ));
            }
            if reply.contains(untouched_name) {
                problems.push(format!("the reply names {untouched_name}"));
            }
            let ignore: &[&str] = if c.write {
                &["processed_updates"]
            } else {
                &["processed_updates", "rollovers"]
            };
            let changed = without(&before, ignore) != without(&after, ignore);
            if c.write && !changed && !problems.iter().any(|p| p == "not allowed") {
                problems.push("an allowed write changed nothing".to_owned());
            }
            if !c.write && changed {
                problems.push(format!("a read changed state:{}", diff(&before, &after)));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{c}: {}\n    reply: {reply}", problems.join("; ")))
    }
}

/// Runs the cases: an allowed write on a bot of its own, everything else on
/// one bot per world (a refusal or a read changes nothing that matters).
async fn run_all(cases: &[Case]) -> Vec<String> {
    let mut shared: Vec<(World, Bot)> = Vec::new();
    let mut failures = Vec::new();
    for c in cases {
        let own = c.write && c.expect != Expect::Refused;
        let result = if own {
            let mut b = world(c.world).await;
            run_case(&mut b, c).await
        } else {
            let i = match shared.iter().position(|(w, _)| *w == c.world) {
                Some(i) => i,
                None => {
                    shared.push((c.world, world(c.world).await));
                    shared.len() - 1
                }
            };
            let r = run_case(&mut shared[i].1, c).await;
            if r.is_err() {
                // It may have changed the shared bot: start again from a clean one.
                shared[i].1 = world(c.world).await;
            }
            r
        };
        if let Err(e) = result {
            failures.push(e);
        }
    }
    failures
}

/// Runs the cases in `LANES` concurrent lanes, each with its own bots;
/// failures come back in table order.
async fn run_lanes(cases: &[Case]) -> Vec<String> {
    const LANES: usize = 3;
    let size = cases.len().div_ceil(LANES).max(1);
    let lanes: Vec<_> = cases
        .chunks(size)
        .map(|lane| {
            let lane = lane.to_vec();
            tokio::spawn(async move { run_all(&lane).await })
        })
        .collect();
    let mut failures = Vec::new();
    for lane in lanes {
        failures.extend(lane.await.expect("lane finished"));
    }
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn every_command_for_every_role_is_allowed_or_refused_as_the_contract_says() {
    let cases = cases();
    let failures = run_lanes(&cases).await;
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------- invites

fn is_token(s: &str) -> bool {
    s.len() == 32 && s.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'))
}

#[tokio::test]
async fn an_invite_is_32_lowercase_hex_characters_in_a_deep_link() {
    let mut b = Bot::with_units(1).await;
    let r = b.private(&admin(), "/invite U0").await;
    let text = only_text(&r);
    let start = text
        .find("https://t.me/thidua_bot?start=")
        .expect("deep link")
        + "https://t.me/thidua_bot?start=".len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '<' && *c != '"')
        .collect();
    assert!(is_token(&token), "not 128 bits of lowercase hex: {token:?}");
    assert_eq!(
        b.count(&format!(
            "SELECT COUNT(*) FROM invites WHERE token = '{token}'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn a_thousand_invites_are_all_distinct() {
    let mut b = Bot::with_units(2).await;
    let mut seen = HashSet::new();
    for i in 0..1000 {
        let r = b.private(&admin(), &format!("/invite U{}", i % 2)).await;
        let token = invite_token(&r);
        assert!(is_token(&token), "invite {i}: {token:?}");
        assert!(seen.insert(token.clone()), "invite {i} repeats {token}");
    }
    assert_eq!(seen.len(), 1000);
    assert_eq!(
        b.count("SELECT COUNT(DISTINCT token) FROM invites").await,
        1000
    );
}

#[tokio::test]
async fn an_invite_works_once() {
    let mut b = Bot::with_units(2).await;
    let token = b.join("U0", &head(0)).await;
    // Neither the same person, nor another, nor the deep link uses it again.
    for (p, text) in [
        (head(0), format!("/join {token}")),
        (head(5), format!("/join {token}")),
        (head(5), format!("/start {token}")),
    ] {
        b.refused(&p, false, &text, "đã được dùng").await;
    }
    let t = only_text(&b.group(&admin(), "/units").await);
    assert!(
        t.contains("Trưởng Đơn vị 0") && !t.contains("Trưởng Đơn vị 5"),
        "{t}"
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM units WHERE head_user_id IS NOT NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn an_invite_used_by_two_people_at_once_binds_one() {
    let mut b = Bot::with_units(1).await;
    let token = invite_token(&b.private(&admin(), "/invite U0").await);
    let before = b.h.api.call_count();
    let (p, q) = (head(5), head(6));
    for who in [&p, &q] {
        b.h.api
            .push(updates::private(who, &format!("/join {token}")));
    }
    let mut replies = Vec::new();
    for who in [&p, &q] {
        let reply =
            b.h.api
                .wait_for(before, std::time::Duration::from_secs(20), |c| {
                    c.method == "sendMessage" && c.chat_id() == Some(who.id)
                })
                .await
                .expect("both are answered");
        replies.push(reply.text().to_owned());
    }
    let won = replies.iter().filter(|t| t.starts_with("✅")).count();
    let lost = replies
        .iter()
        .filter(|t| t.starts_with("⚠️") && t.contains("đã được dùng"))
        .count();
    assert_eq!((won, lost), (1, 1), "{replies:?}");
    assert_eq!(
        b.count("SELECT COUNT(*) FROM units WHERE head_user_id IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'unit.head'")
            .await,
        1
    );
}

#[tokio::test]
async fn an_invite_expires_after_seven_days() {
    let mut b = Bot::with_units(2).await;
    let early = invite_token(&b.private(&admin(), "/invite U0").await);
    let late = invite_token(&b.private(&admin(), "/invite U1").await);

    b.h.clock
        .advance(chrono::Duration::days(7) - chrono::Duration::seconds(1));
    let r = b.private(&head(0), &format!("/join {early}")).await;
    assert!(
        sent_to(&r, head(0).id)[0].starts_with("✅"),
        "still valid: {r:?}"
    );

    b.h.clock.advance(chrono::Duration::seconds(2));
    b.refused(&head(1), false, &format!("/join {late}"), "hết hạn")
        .await;
    b.refused(&head(1), false, &format!("/start {late}"), "hết hạn")
        .await;

    let mut b = Bot::with_units(1).await;
    let token = invite_token(&b.private(&admin(), "/invite U0").await);
    b.h.clock
        .advance(chrono::Duration::days(7) + chrono::Duration::seconds(1));
    b.refused(&head(0), false, &format!("/join {token}"), "hết hạn")
        .await;
    assert_eq!(
        b.count("SELECT COUNT(*) FROM units WHERE head_user_id IS NOT NULL")
            .await,
        0
    );
}

// ------------------------------------------------------------------- help

/// The command a text or a help line names: `/units`, `/target add`, `/pledge sign`.
fn command_key(text: &str) -> String {
    let text = text.trim_start_matches("• ");
    if text.contains("/addadmin") && !text.starts_with('/') {
        return "/addadmin".into();
    }
    let mut words = text.split_whitespace();
    let first = words.next().unwrap_or("");
    let key = match words.next() {
        Some(sub)
            if ["/target", "/pledge", "/schedule"].contains(&first)
                && !sub.is_empty()
                && sub.chars().all(|c| c.is_ascii_lowercase()) =>
        {
            format!("{first} {sub}")
        }
        _ => first.to_owned(),
    };
    if key == "/target list" {
        "/targets".into()
    } else {
        key
    }
}

/// What /help must list to `role` in `chat`: the matrix's allowed commands
/// whose permission depends on the role alone (not /start and /join, which
/// depend on the invite).
fn allowed_here(role: Role, chat: Chat) -> (HashSet<String>, HashSet<String>) {
    let mut allowed = HashSet::new();
    let mut known = HashSet::new();
    for c in cases() {
        let key = match c.cmd {
            Cmd::Text(t) | Cmd::Reply(t) | Cmd::Photo(t) => command_key(t),
            Cmd::WithInvite(_) | Cmd::SignButton => continue,
        };
        if key == "/start" || key == "/join" {
            continue;
        }
        known.insert(key.clone());
        if c.role == role && c.chat == chat && c.expect != Expect::Refused {
            allowed.insert(key);
        }
    }
    (allowed, known)
}

/// Where /help lists a command the user may not run (bugs; see
/// `help_lists_no_command_refused_to_this_user`).
fn help_bug(role: Role, chat: Chat, key: &str) -> Option<&'static str> {
    match (role, chat, key) {
        (Role::Anonymous, _, "/lang" | "/newbloc") => Some(
            "/help ignores that an anonymous admin may not write (src/bot/blocs.rs, help: \
             `K::Help | K::Lang => true`, `K::NewBloc => req.group && bloc.is_none()`)",
        ),
        (_, Chat::Fresh, "/newbloc") if role != Role::TgAdmin => Some(
            "/help lists /newbloc in a group that is not a bloc to anyone, without asking \
             Telegram whether they are a group admin (src/bot/blocs.rs, help: `K::NewBloc`)",
        ),
        (Role::Outsider | Role::Member | Role::TgAdmin, Chat::Private, "/bloc") => Some(
            "/help lists /bloc to a user who belongs to no bloc, and /bloc refuses them with \
             \"chưa thuộc khối thi đua nào\" (src/bot/blocs.rs, help: `K::Bloc => req.private`; \
             bloc: `Refusal::NoBloc`)",
        ),
        _ => None,
    }
}

/// /help of `role` in `chat`: the commands it lists.
async fn help_of(b: &mut Bot, role: Role, chat: Chat) -> (HashSet<String>, String) {
    let c = Case {
        role,
        chat,
        cmd: Cmd::Text("/help"),
        write: false,
        place: Place::Any,
        world: World::Now,
        expect: Expect::Allowed,
    };
    let (update, chat_id) = prepare(b, &c).await;
    let reply = sent_to(&b.send(update).await, chat_id).join("\n");
    let listed = reply
        .lines()
        .filter(|l| l.starts_with("• "))
        .map(command_key)
        .collect();
    (listed, reply)
}

fn role_chats() -> Vec<(Role, Chat)> {
    ROLES
        .into_iter()
        .flat_map(|r| [Chat::Group, Chat::Private, Chat::Fresh].map(|c| (r, c)))
        .filter(|&(r, c)| !(r == Role::Anonymous && c == Chat::Private))
        .collect()
}

#[tokio::test]
async fn help_lists_the_commands_this_user_may_run_here() {
    let mut b = world(World::Now).await;
    let mut failures = Vec::new();
    for (role, chat) in role_chats() {
        let (listed, reply) = help_of(&mut b, role, chat).await;
        let (allowed, known) = allowed_here(role, chat);
        let mut missing: Vec<_> = allowed.difference(&listed).cloned().collect();
        let mut extra: Vec<_> = listed
            .iter()
            .filter(|k| known.contains(*k) && !allowed.contains(*k))
            .filter(|k| help_bug(role, chat, k).is_none())
            .cloned()
            .collect();
        missing.sort();
        extra.sort();
        if !missing.is_empty() || !extra.is_empty() {
            failures.push(format!(
                "{role} in {chat}: /help misses {missing:?}, lists refused {extra:?}\n    reply: {reply}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn help_lists_no_command_refused_to_this_user() {
    let mut b = world(World::Now).await;
    let mut failures = Vec::new();
    for (role, chat) in role_chats() {
        let (listed, reply) = help_of(&mut b, role, chat).await;
        let mut bugs: Vec<_> = listed
            .iter()
            .filter_map(|k| help_bug(role, chat, k).map(|why| format!("{k}: {why}")))
            .collect();
        bugs.sort();
        if !bugs.is_empty() {
            failures.push(format!(
                "{role} in {chat}: /help lists refused commands:\n    {}\n    reply: {reply}",
                bugs.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
