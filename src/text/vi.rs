//! Tiếng Việt — the default language.

use super::{Dashboard, TargetLine, Texts, Words, esc, format_goal, format_value};
use crate::domain::schedule::Deadline;
use crate::domain::title::Title;
use crate::domain::{CommandKind as K, Period, Refusal as R, ReviewState};

/// The words the shared layouts put together.
const WORDS: Words = Words {
    decimal: ',',
    unit: "đơn vị",
    no_head: "chưa có trưởng đơn vị",
    signed: "đã ký",
    unsigned: "chưa ký",
    pledge_unsigned: "chưa ký giao ước",
    reports: "báo cáo",
    units_none: "chưa có đơn vị nào. Thêm bằng /addunit.",
    units_of: "Đơn vị của khối",
    targets_of: "Chỉ tiêu năm",
    total_weight: "tổng trọng số",
    weight: "trọng số",
    drafts_note: "Chỉ tiêu nháp chép từ năm trước: quản trị khối xác nhận bằng /target confirm hoặc sửa bằng /target remove, /target add.",
    pledge_of: "Giao ước thi đua năm",
    own_goal: "mục tiêu riêng",
    titles_registered: "Danh hiệu đăng ký",
    signed_at: "Đã ký lúc",
    sign_hint: "Chưa ký. Bấm nút bên dưới hoặc gõ /pledge sign để ký.",
    pledges_of: "Giao ước năm",
    signed_list: "Đã ký",
    unsigned_list: "Chưa ký",
    none_signed: "chưa có",
    none_unsigned: "không còn",
    not_reported: "chưa báo cáo",
    score: "Điểm",
    rank: "hạng",
    standings_of: "Xếp hạng",
    no_units: "Chưa có đơn vị nào.",
    points: "điểm",
    your_blocs: "Các khối của bạn",
    pick_bloc: "Chọn khối: /bloc &lt;mã hoặc tên&gt;",
    schedule_of: "Lịch năm",
    send_time: "Giờ gửi",
    next_send: "Lần gửi tới",
    no_more_sends: "Không còn lần gửi nào trong năm.",
    pledge_missing: "Đơn vị chưa ký giao ước thi đua: gõ /pledge để xem và ký.",
    report_hint: "Báo cáo bằng /report &lt;MÃ&gt; &lt;giá trị&gt;.",
    done: "đã xong",
    outstanding: "Còn thiếu",
    standings_so_far: "Xếp hạng tạm thời",
    overdue: "Quá hạn",
    titles: "Danh hiệu tập thể",
    register_hint: "đăng ký bằng /register &lt;MÃ&gt;",
    history_of: "Nhật ký",
    page: "trang",
    no_changes: "Chưa có thay đổi nào.",
    removed: "bỏ",
    report_of: "Báo cáo",
    cancel_hint: "Gõ /cancel để hủy.",
};

/// Vietnamese texts.
/// The dashboard's words.
const DASHBOARD: Dashboard = Dashboard {
    title: "Bảng xếp hạng thi đua",
    blocs: "Khối thi đua của bạn",
    no_blocs: "Bạn chưa là quản trị hay trưởng đơn vị của khối nào.",
    standings: "Xếp hạng",
    rank: "Hạng",
    unit: "Đơn vị",
    score: "Điểm",
    points: "Điểm cộng/trừ",
    review: "Thẩm định",
    targets: "Chỉ tiêu",
    goal: "Mục tiêu",
    value: "Kết quả",
    achievement: "Đạt",
    late: "nộp trễ",
    evidence: "Minh chứng",
    exempt: "miễn",
    not_reported: "chưa báo cáo",
    change: "Thay đổi từ sơ kết đến tổng kết",
    back: "‹ Quay lại",
    chart: "Biểu đồ điểm",
    unranked: "chưa xếp hạng",
    loading: "Đang tải…",
    state_open: "chưa gửi thẩm định",
    state_submitted: "chờ thẩm định",
    state_approved: "đã duyệt",
    state_returned: "bị trả lại",
    button: "📊 Bảng xếp hạng",
};

pub struct Vi;

impl Texts for Vi {
    fn words(&self) -> &'static Words {
        &WORDS
    }

    fn refusal(&self, r: &R) -> String {
        match r {
            R::BadUsage => "Lệnh thiếu hoặc sai tham số.".into(),
            R::BadCode(c) => format!("Mã «{}» không hợp lệ: dùng 1–16 ký tự A-Z, 0-9, _ hoặc -.", esc(c)),
            R::ReservedCode(c) => format!("Không dùng «{}» làm mã chỉ tiêu: trùng tên kỳ báo cáo.", esc(c)),
            R::BadKind(k) => format!("Loại chỉ tiêu «{}» không hợp lệ: chọn percent, number hoặc yesno.", esc(k)),
            R::BadGoal(g) => format!("Mục tiêu «{}» không hợp lệ: dùng &gt;=N, &lt;=N, N (không âm) hoặc yes/no.", esc(g)),
            R::BadWeight(w) => format!("Trọng số «{}» không hợp lệ: là số nguyên dương từ 1 đến 1000.", esc(w)),
            R::BadValue { raw, yes_no: true } => format!("Giá trị «{}» không hợp lệ: trả lời có/không (yes/no, 1/0).", esc(raw)),
            R::BadValue { raw, .. } => format!("Giá trị «{}» không phải là số hợp lệ: dùng chữ số, dấu , hoặc . và % nếu cần.", esc(raw)),
            R::BadPeriod(p) => format!("Kỳ «{}» không hợp lệ: chọn mid (sơ kết 6 tháng) hoặc final (tổng kết năm).", esc(p)),
            R::BadYear(y) => format!("Năm «{}» không hợp lệ: từ 2000 đến 2100.", esc(y)),
            R::BadLang(l) => format!("Ngôn ngữ «{}» không được hỗ trợ: chọn vi hoặc en.", esc(l)),
            R::BadText { max } => format!("Tên hoặc ghi chú phải có nội dung và không quá {max} ký tự."),
            R::DuplicateUnit(c) => format!("Đơn vị mã {} đã có trong khối.", esc(c)),
            R::DuplicateTarget(c) => format!("Chỉ tiêu mã {} đã có trong năm nay.", esc(c)),
            R::UnknownUnit(c) => format!("Không có đơn vị mã {} trong khối.", esc(c)),
            R::UnknownTarget(c) => format!("Không có chỉ tiêu mã {} trong năm nay.", esc(c)),
            R::UnknownBloc(b) => format!("Bạn không thuộc khối nào tên hoặc mã «{}».", esc(b)),
            R::InviteUnknown => "Mã mời không đúng. Hãy xin quản trị khối một mã mới.".into(),
            R::InviteUsed => "Mã mời này đã được dùng. Mỗi mã chỉ dùng được một lần.".into(),
            R::InviteExpired => "Mã mời đã hết hạn (7 ngày) hoặc đã được thay bằng mã mới. Hãy xin quản trị khối một mã mới.".into(),
            R::NeedPrivateChat { bot } => format!("Mã mời chỉ được gửi riêng cho bạn, nhưng bạn chưa mở trò chuyện riêng với bot. Hãy mở @{}, bấm Bắt đầu (Start) rồi gửi lại lệnh; nhóm không thấy mã mời.", esc(bot)),
            R::AlreadyHead { unit } => format!("Bạn đã là trưởng đơn vị {} trong khối này.", esc(unit)),
            R::NotGroupAdmin => "Chỉ quản trị viên Telegram của nhóm mới được tạo khối.".into(),
            R::NotBlocAdmin => "Chỉ quản trị khối mới được làm việc này.".into(),
            R::NotUnitHead => "Chỉ trưởng đơn vị (đã tham gia bằng mã mời) mới được làm việc này.".into(),
            R::NotYourUnit => "Bạn chỉ được ký và báo cáo cho đơn vị của mình.".into(),
            R::Anonymous => "Tin nhắn gửi dưới danh nghĩa nhóm hoặc kênh (quản trị ẩn danh) không được thay đổi dữ liệu. Hãy gửi bằng tài khoản của bạn.".into(),
            R::GroupOnly => "Lệnh này dùng trong nhóm Telegram của khối.".into(),
            R::PrivateOnly => "Lệnh này dùng trong cuộc trò chuyện riêng với bot.".into(),
            R::NotABloc => "Nhóm này chưa là khối thi đua. Quản trị viên nhóm gõ /newbloc &lt;tên khối&gt;.".into(),
            R::AlreadyABloc(b) => format!("Nhóm này đã là khối «{}».", esc(b)),
            R::NoBloc => "Bạn chưa thuộc khối thi đua nào. Hãy dùng mã mời của quản trị khối.".into(),
            R::ChooseBloc => "Bạn thuộc nhiều khối: chọn một khối bằng /bloc trước.".into(),
            R::NotAReply => "Hãy trả lời (reply) một tin nhắn của người cần thêm làm quản trị.".into(),
            R::CannotPromote => "Không thể thêm bot hoặc tài khoản ẩn danh làm quản trị khối.".into(),
            R::AlreadyAdmin => "Người này đã là quản trị khối.".into(),
            R::AlreadySigned => "Giao ước của đơn vị đã được ký.".into(),
            R::NoTargets => "Khối chưa có chỉ tiêu nào cho năm nay.".into(),
            R::UnknownCommand => "Lệnh không tồn tại.".into(),
            R::BadDeadline(d) => format!("Hạn «{}» không hợp lệ: chọn pledge, mid hoặc final.", esc(d)),
            R::BadDate(d) => format!("Ngày «{}» không hợp lệ: viết theo dạng YYYY-MM-DD, ví dụ 2026-07-20.", esc(d)),
            R::BadTime(t) => format!("Giờ «{}» không hợp lệ: viết theo dạng HH:MM (24 giờ), ví dụ 08:00.", esc(t)),
            R::BadRemind(d) => format!("Danh sách ngày «{}» không hợp lệ: các số ngày khác nhau từ 1 đến 365, cách nhau bởi dấu phẩy.", esc(d)),
            R::BadTimeZone(z) => format!("Múi giờ «{}» không hợp lệ: dùng tên IANA, ví dụ Asia/Ho_Chi_Minh.", esc(z)),
            R::NoDrafts => "Không có chỉ tiêu nháp nào chờ xác nhận.".into(),
            R::UnknownTitle(t) => format!("Không có danh hiệu mã «{}». Xem danh sách bằng /titles.", esc(t)),
            R::NoFlow => "Không có báo cáo nào đang nhập dở.".into(),
            R::FlowExpired => "Phiên báo cáo đã hết hạn sau 30 phút. Gõ /report để bắt đầu lại.".into(),
            R::TargetArchived(c) => format!("Chỉ tiêu mã {} đã được lưu trữ rồi. Khôi phục bằng /target restore {}.", esc(c), esc(c)),
            R::TargetArchivedExists(c) => format!("Chỉ tiêu mã {} của năm nay đang được lưu trữ cùng các giá trị đã báo cáo. Dùng /target restore {} để khôi phục thay vì thêm mới.", esc(c), esc(c)),
            R::TargetNotArchived(c) => format!("Chỉ tiêu mã {} đang được dùng, không ở trong lưu trữ.", esc(c)),
            R::DateOutsideYear { date, year } => format!("Ngày {} không thuộc năm {year}: các hạn của lịch năm {year} phải nằm trong năm đó.", date.format("%Y-%m-%d")),
            R::DeadlineOrder { moved, date, other, other_date } => format!(
                "Ngày {} không hợp lệ: hạn {} không được {} hạn {} ({}). Thứ tự phải là: ký giao ước, sơ kết, tổng kết.",
                date.format("%Y-%m-%d"),
                self.deadline(*moved),
                if moved > other { "sớm hơn" } else { "muộn hơn" },
                self.deadline(*other),
                other_date.format("%d/%m/%Y"),
            ),
            R::ReportLocked { approved: false } => "Kết quả kỳ này của đơn vị đã được gửi thẩm định nên tạm khóa; chưa có gì thay đổi. Chờ quản trị khối duyệt hoặc trả lại.".into(),
            R::ReportLocked { approved: true } => "Kết quả kỳ này của đơn vị đã được duyệt; chưa có gì thay đổi. Muốn sửa một giá trị, hãy đề nghị quản trị khối trả lại.".into(),
            R::SubmitMissing(codes) => format!("Chưa gửi được: còn chỉ tiêu chưa có số liệu ({}). Báo cáo đủ rồi gửi lại.", esc(&codes.join(", "))),
            R::AlreadySubmitted => "Kết quả kỳ này đã được gửi thẩm định rồi; chưa có gì thay đổi.".into(),
            R::AlreadyApproved => "Kết quả kỳ này đã được duyệt rồi; chưa có gì thay đổi.".into(),
            R::NotSubmitted => "Đơn vị chưa gửi kết quả kỳ này để thẩm định; chưa có gì thay đổi.".into(),
            R::ReasonRequired => "Cần ghi lý do trả lại để trưởng đơn vị biết phải sửa gì.".into(),
            R::BadPoints(raw) => format!("«{}» không phải số điểm hợp lệ: cần dấu + hoặc −, tối đa một chữ số thập phân, từ 0,1 đến 100.", esc(raw)),
            R::AlreadyExempt(c) => format!("Chỉ tiêu {} đã được miễn cho đơn vị này trong kỳ đó rồi.", esc(c)),
            R::NotExempt(c) => format!("Chỉ tiêu {} không được miễn cho đơn vị này trong kỳ đó.", esc(c)),
            R::NotApprovedYet => "Chỉ đề nghị sửa được khi kết quả kỳ này đã được duyệt; chưa có gì thay đổi. Trước đó, hãy báo cáo lại bằng /report (nếu đã gửi thẩm định, chờ quản trị khối duyệt hoặc trả lại).".into(),
            R::ReasonNeeded => "Cần ghi lý do; chưa có gì thay đổi.".into(),
            R::BadRequestNo(raw) => format!("«{}» không phải số thứ tự đề nghị: cần một số nguyên dương như trong /corrections.", esc(raw)),
            R::UnknownCorrection(n) => format!("Không có đề nghị sửa số #{n} trong khối này. Gõ /corrections để xem các đề nghị đang chờ."),
            R::CorrectionDecided { accepted: true } => "Đề nghị này đã được chấp nhận rồi; chưa có gì thay đổi.".into(),
            R::CorrectionDecided { accepted: false } => "Đề nghị này đã bị từ chối rồi; chưa có gì thay đổi.".into(),
            R::EvidenceNoFile => "Chưa có tệp nào: gửi ảnh hoặc tệp kèm chú thích /evidence &lt;MÃ CHỈ TIÊU&gt;, hoặc trả lời một ảnh, tệp bằng lệnh đó.".into(),
            R::EvidenceFull { max } => format!("Giá trị này đã có đủ {max} minh chứng, không thêm được nữa; chưa có gì thay đổi."),
            R::EvidenceAlready => "Tệp này đã là minh chứng của giá trị đó rồi; chưa có gì thay đổi.".into(),
            R::StaleSignButton { year: Some(y) } => format!("Nút ký này thuộc giao ước năm {y}, không còn dùng được; chưa có gì thay đổi. Gõ /pledge để xem và ký giao ước năm nay."),
            R::StaleSignButton { year: None } => "Nút ký này đã cũ, không còn dùng được; chưa có gì thay đổi. Gõ /pledge để nhận nút ký mới.".into(),
            R::BadPicks(k) => format!("Số đơn vị được chọn «{}» không hợp lệ: là số nguyên từ 1 đến 64.", esc(k)),
            R::BadHours(h) => format!("Thời gian mở «{}» không hợp lệ: là số giờ từ 1 đến 336 (hai tuần).", esc(h)),
            R::PicksAboveUnits { units } => format!("Khối có {units} đơn vị: số đơn vị được chọn phải nhỏ hơn {units}."),
            R::BallotSize { units } => format!("Khối có {units} đơn vị: bỏ phiếu cần từ 2 đến 64 đơn vị."),
            R::BallotOpen => "Khối đang có một cuộc bỏ phiếu chưa đóng: gõ /ballot để xem, /ballot close để đóng.".into(),
            R::NoOpenBallot => "Khối không có cuộc bỏ phiếu nào đang mở.".into(),
            R::BallotClosed => "Cuộc bỏ phiếu này đã đóng: không nhận thêm phiếu. Gõ /ballot để xem kết quả.".into(),
            R::AlreadyVoted => "Đơn vị của bạn đã bỏ phiếu: phiếu đã bỏ không sửa được.".into(),
            R::NotOnBallot => "Đơn vị của bạn được thêm sau khi mở bỏ phiếu, nên không có phiếu trong cuộc này.".into(),
            R::TooManyPicks { most } => format!("Chỉ được chọn tối đa {most} đơn vị: bỏ chọn một đơn vị trước."),
            R::BallotStale => "Nút này không thuộc cuộc bỏ phiếu hiện tại; chưa có gì thay đổi. Gõ /ballot để nhận phiếu mới.".into(),
            R::ProposalExists { unit, title } => format!("Đơn vị {} đã được đề nghị danh hiệu {} năm nay.", esc(unit), esc(title)),
            R::NoProposal { unit, title } => format!("Không có đề nghị danh hiệu {} cho đơn vị {} năm nay.", esc(title), esc(unit)),
        }
    }

    fn usage(&self, k: K) -> &'static str {
        match k {
            K::Start => "/start — ví dụ: /start",
            K::Help => "/help",
            K::NewBloc => "/newbloc &lt;tên khối&gt; — ví dụ: /newbloc Khối kinh tế, kỹ thuật",
            K::AddAdmin => "trả lời tin nhắn của người đó bằng /addadmin",
            K::AddUnit => {
                "/addunit &lt;MÃ&gt; &lt;tên đơn vị&gt; — ví dụ: /addunit TNMT Sở Tài nguyên và Môi trường"
            }
            K::Units => "/units",
            K::Invite => "/invite &lt;MÃ ĐƠN VỊ&gt; — ví dụ: /invite TNMT",
            K::Join => "/join &lt;mã mời&gt; — ví dụ: /join Xy3_kP9...",
            K::TargetAdd => {
                "/target add &lt;MÃ&gt; &lt;percent|number|yesno&gt; &lt;mục tiêu&gt; &lt;trọng số&gt; &lt;tên&gt; — ví dụ: /target add HTNV percent &gt;=100 20 Tỷ lệ CBCCVC hoàn thành nhiệm vụ"
            }
            K::TargetSet => {
                "/target set &lt;MÃ ĐƠN VỊ&gt; &lt;MÃ CHỈ TIÊU&gt; &lt;mục tiêu&gt; — ví dụ: /target set TC THU &gt;=105"
            }
            K::TargetRemove => "/target remove &lt;MÃ&gt; — ví dụ: /target remove DOT",
            K::TargetRestore => "/target restore &lt;MÃ&gt; — ví dụ: /target restore DOT",
            K::TargetList => "/targets (hoặc /target list)",
            K::Target => "/target add|set|remove|restore|list … — ví dụ: /target list",
            K::Pledge => "/pledge",
            K::PledgeSign => "/pledge sign",
            K::Pledges => "/pledges",
            K::Report => {
                "/report [mid|final] &lt;MÃ CHỈ TIÊU&gt; &lt;giá trị&gt; [ghi chú] — ví dụ: /report THU 60,9%"
            }
            K::Status => "/status",
            K::Standings => "/standings [mid|final] [năm] — ví dụ: /standings mid 2026",
            K::Bloc => "/bloc [tên hoặc mã khối] — ví dụ: /bloc 1",
            K::Lang => "/lang &lt;vi|en&gt; — ví dụ: /lang en",
            K::Schedule => "/schedule [set|remind|time|tz …] — ví dụ: /schedule set mid 2026-07-20",
            K::ScheduleSet => {
                "/schedule set &lt;pledge|mid|final&gt; &lt;YYYY-MM-DD&gt; — ví dụ: /schedule set mid 2026-07-20"
            }
            K::ScheduleRemind => {
                "/schedule remind &lt;d1,d2,...&gt; — ví dụ: /schedule remind 14,7,3,1"
            }
            K::ScheduleTime => "/schedule time &lt;HH:MM&gt; — ví dụ: /schedule time 08:00",
            K::ScheduleTz => {
                "/schedule tz &lt;múi giờ IANA&gt; — ví dụ: /schedule tz Asia/Ho_Chi_Minh"
            }
            K::TargetConfirm => "/target confirm",
            K::Titles => "/titles",
            K::Register => "/register &lt;MÃ DANH HIỆU&gt; … — ví dụ: /register TTLDXS CO_TINH",
            K::Chart => "/chart [mid|final] — ví dụ: /chart mid",
            K::Export => "/export [năm] — ví dụ: /export 2026",
            K::History => "/history [MÃ ĐƠN VỊ] — ví dụ: /history TNMT",
            K::Cancel => "/cancel",
            K::Submit => "/submit [mid|final] — ví dụ: /submit mid",
            K::Review => "/review [MÃ ĐƠN VỊ] [mid|final] — ví dụ: /review TNMT mid",
            K::Approve => "/approve &lt;MÃ ĐƠN VỊ&gt; [mid|final] — ví dụ: /approve TNMT mid",
            K::Return => {
                "/return &lt;MÃ ĐƠN VỊ&gt; [mid|final] &lt;lý do&gt; — ví dụ: /return TNMT mid Thiếu số liệu quý II"
            }
            K::Exempt => {
                "/exempt &lt;MÃ ĐƠN VỊ&gt; &lt;MÃ CHỈ TIÊU&gt; [mid|final] &lt;lý do&gt; hoặc /exempt remove &lt;MÃ ĐƠN VỊ&gt; &lt;MÃ CHỈ TIÊU&gt; [mid|final] — ví dụ: /exempt QPT THU Quỹ không có nhiệm vụ thu"
            }
            K::Points => {
                "/points &lt;MÃ ĐƠN VỊ&gt; &lt;+N|−N&gt; [mid|final] &lt;lý do&gt; hoặc /points &lt;MÃ ĐƠN VỊ&gt; [mid|final] — ví dụ: /points TNMT +5 final Cờ thi đua của UBND tỉnh"
            }
            K::Correct => {
                "/correct &lt;MÃ CHỈ TIÊU&gt; [mid|final] &lt;giá trị&gt; &lt;lý do&gt; — ví dụ: /correct THU mid 75,5 Số liệu kho bạc đã chốt"
            }
            K::Corrections => "/corrections",
            K::Accept => "/accept &lt;số đề nghị&gt; — ví dụ: /accept 3",
            K::Reject => {
                "/reject &lt;số đề nghị&gt; &lt;lý do&gt; — ví dụ: /reject 3 Chưa có chứng từ"
            }
            K::Evidence => {
                "/evidence &lt;MÃ CHỈ TIÊU&gt; [mid|final] làm chú thích của ảnh, tệp (hoặc trả lời ảnh, tệp đó), hoặc /evidence &lt;MÃ ĐƠN VỊ&gt; &lt;MÃ CHỈ TIÊU&gt; [mid|final] — ví dụ: /evidence TNMT THU"
            }
            K::Ballot => "/ballot",
            K::BallotOpen => {
                "/ballot open &lt;K&gt; &lt;số giờ&gt; &lt;câu hỏi&gt; — ví dụ: /ballot open 1 48 Suy tôn đơn vị dẫn đầu khối năm 2026"
            }
            K::BallotClose => "/ballot close",
            K::Vote => "bấm các nút của phiếu bầu trong tin nhắn riêng, rồi nút Bỏ phiếu",
            K::Propose => {
                "/propose &lt;MÃ ĐƠN VỊ&gt; &lt;MÃ DANH HIỆU&gt; [lý do] hoặc /propose remove &lt;MÃ ĐƠN VỊ&gt; &lt;MÃ DANH HIỆU&gt; — ví dụ: /propose TNMT CO_TINH Dẫn đầu khối"
            }
            K::Proposals => "/proposals [năm] — ví dụ: /proposals 2026",
            K::Minutes => "/minutes [năm] — ví dụ: /minutes 2026",
        }
    }

    fn describe(&self, k: K) -> &'static str {
        match k {
            K::Start => "bắt đầu, hoặc tham gia bằng mã mời",
            K::Help => "các lệnh bạn dùng được ở đây",
            K::NewBloc => "biến nhóm này thành khối thi đua",
            K::AddAdmin => "thêm quản trị khối",
            K::AddUnit => "thêm đơn vị",
            K::Units => "danh sách đơn vị",
            K::Invite => "tạo mã mời trưởng đơn vị",
            K::Join => "tham gia làm trưởng đơn vị",
            K::TargetAdd => "thêm chỉ tiêu",
            K::TargetSet => "mục tiêu riêng của một đơn vị",
            K::TargetRemove => "bỏ chỉ tiêu (đã có báo cáo thì lưu trữ, giữ các giá trị)",
            K::TargetRestore => "khôi phục chỉ tiêu đã lưu trữ cùng các giá trị",
            K::TargetList => "chỉ tiêu năm nay",
            K::Target => "quản lý chỉ tiêu",
            K::Pledge => "xem giao ước của đơn vị",
            K::PledgeSign => "ký giao ước",
            K::Pledges => "đơn vị đã ký và chưa ký",
            K::Report => "báo cáo kết quả một chỉ tiêu",
            K::Status => "kết quả, điểm và hạng của đơn vị",
            K::Standings => "bảng xếp hạng",
            K::Bloc => "chọn khối khi bạn thuộc nhiều khối",
            K::Lang => "đổi ngôn ngữ",
            K::Schedule => "hạn chót, ngày nhắc và giờ gửi của năm",
            K::ScheduleSet => "dời một hạn chót",
            K::ScheduleRemind => "số ngày nhắc trước hạn",
            K::ScheduleTime => "giờ gửi lời nhắc",
            K::ScheduleTz => "múi giờ của khối",
            K::TargetConfirm => "xác nhận chỉ tiêu nháp chép từ năm trước",
            K::Titles => "danh mục danh hiệu tập thể",
            K::Register => "đăng ký danh hiệu thi đua của đơn vị",
            K::Chart => "biểu đồ xếp hạng",
            K::Export => "tải bảng tính Excel (XLSX) để làm báo cáo",
            K::History => "nhật ký thay đổi",
            K::Cancel => "hủy báo cáo đang nhập dở, hoặc lần trả lại đang chờ lý do",
            K::Submit => "gửi kết quả của đơn vị để thẩm định",
            K::Review => "thẩm định: ai đang chờ, kết quả của một đơn vị",
            K::Approve => "duyệt kết quả đã gửi của một đơn vị",
            K::Return => "trả lại kết quả kèm lý do",
            K::Exempt => "miễn một chỉ tiêu cho một đơn vị",
            K::Points => "điểm cộng, điểm trừ của một đơn vị",
            K::Correct => "đề nghị sửa một giá trị đã được duyệt",
            K::Corrections => "các đề nghị sửa số liệu đang chờ",
            K::Accept => "chấp nhận một đề nghị sửa số liệu",
            K::Reject => "từ chối một đề nghị sửa số liệu, kèm lý do",
            K::Evidence => "minh chứng của một giá trị: gửi kèm hoặc xem lại",
            K::Ballot => "cuộc bỏ phiếu kín đang mở, hoặc kết quả lần trước",
            K::BallotOpen => "mở bỏ phiếu kín suy tôn",
            K::BallotClose => "đóng bỏ phiếu và công bố kết quả",
            K::Vote => "bỏ phiếu kín",
            K::Propose => "đề nghị khen thưởng một đơn vị",
            K::Proposals => "các đề nghị khen thưởng của năm",
            K::Minutes => "biên bản họp bình xét (Word, DOCX)",
        }
    }

    fn usage_label(&self) -> &'static str {
        "Cách dùng"
    }

    fn internal_error(&self) -> String {
        "⚠️ Bot gặp lỗi khi xử lý lệnh; chưa có gì thay đổi. Vui lòng thử lại sau ít phút.".into()
    }

    fn unknown_command(&self) -> String {
        "⚠️ Lệnh không tồn tại. Gõ /help để xem các lệnh bạn dùng được.".into()
    }

    fn welcome(&self, name: &str) -> String {
        format!(
            "Xin chào {}! 👋\nTôi là <b>thidua</b>, trợ lý giao ước thi đua của khối.\n\n\
             • Trưởng đơn vị: mở đường link mời hoặc gõ /join &lt;mã mời&gt;, rồi /pledge để ký giao ước và /report để báo cáo.\n\
             • Quản trị khối: thêm bot vào nhóm của khối và gõ /newbloc &lt;tên khối&gt;.\n\
             Gõ /help để xem các lệnh.",
            esc(name)
        )
    }

    fn help_header(&self) -> &'static str {
        "📖 <b>Các lệnh bạn dùng được ở đây</b>"
    }

    fn bloc_created(&self, bloc: &str) -> String {
        format!(
            "✅ Đã tạo khối thi đua <b>{}</b>. Bạn là quản trị khối.\nTiếp theo: /addunit để thêm đơn vị, /target add để thêm chỉ tiêu, /invite để mời trưởng đơn vị.",
            esc(bloc)
        )
    }

    fn admin_added(&self, name: &str) -> String {
        format!("✅ {} đã là quản trị khối.", esc(name))
    }

    fn unit_added(&self, code: &str, name: &str) -> String {
        format!(
            "✅ Đã thêm đơn vị <b>{}</b> — {}.\nMời trưởng đơn vị: /invite {}",
            esc(code),
            esc(name),
            esc(code)
        )
    }

    fn invite(&self, code: &str, unit: &str, link: &str, token: &str, expires: &str) -> String {
        format!(
            "🔑 Mã mời trưởng đơn vị <b>{}</b> — {}:\n{}\nHoặc gõ trong chat riêng với bot: <code>/join {}</code>\nDùng một lần, hết hạn {}.",
            esc(code),
            esc(unit),
            esc(link),
            esc(token),
            esc(expires)
        )
    }

    fn invite_sent(&self, code: &str, unit: &str) -> String {
        format!(
            "🔑 Đã gửi riêng cho bạn mã mời trưởng đơn vị <b>{}</b> — {}. Mã mời cũ chưa dùng của đơn vị (nếu có) đã bị thu hồi.",
            esc(code),
            esc(unit)
        )
    }

    fn joined(&self, code: &str, unit: &str, bloc: &str) -> String {
        format!(
            "✅ Bạn là trưởng đơn vị <b>{}</b> — {} trong khối {}.\nGõ /pledge để xem và ký giao ước, /report để báo cáo.",
            esc(code),
            esc(unit),
            esc(bloc)
        )
    }

    fn joined_group(&self, who: &str, code: &str, unit: &str) -> String {
        format!(
            "👤 {} là trưởng đơn vị <b>{}</b> — {}.",
            esc(who),
            esc(code),
            esc(unit)
        )
    }

    fn target_added(&self, t: &TargetLine, year: i32) -> String {
        format!(
            "✅ Đã thêm chỉ tiêu năm {year}: <b>{}</b> {} — mục tiêu {}, trọng số {}.",
            esc(&t.code),
            esc(&t.name),
            format_goal(self, t.kind, t.goal),
            t.weight
        )
    }

    fn target_goal_set(&self, unit: &str, t: &TargetLine) -> String {
        format!(
            "✅ Mục tiêu riêng của {} cho <b>{}</b>: {}.",
            esc(unit),
            esc(&t.code),
            format_goal(self, t.kind, t.goal)
        )
    }

    fn target_removed(&self, code: &str) -> String {
        format!(
            "🗑 Đã xóa chỉ tiêu <b>{}</b> (chưa có báo cáo nào; nhật ký vẫn lưu).",
            esc(code)
        )
    }

    fn target_archived(&self, code: &str, reports: i64) -> String {
        format!(
            "🗄 Đã lưu trữ chỉ tiêu <b>{}</b>: không còn trong giao ước, điểm, bảng xếp hạng và lời nhắc. {reports} lượt báo cáo của nó vẫn được giữ (xem /history).\nKhôi phục: /target restore {}",
            esc(code),
            esc(code)
        )
    }

    fn target_restored(&self, code: &str) -> String {
        format!(
            "♻️ Đã khôi phục chỉ tiêu <b>{}</b> cùng các giá trị đã báo cáo: nó lại được tính vào giao ước, điểm và lời nhắc.",
            esc(code)
        )
    }

    fn sign_button(&self) -> &'static str {
        "✍️ Ký giao ước"
    }

    fn signed(&self, code: &str, year: i32, k: usize, n: usize) -> String {
        format!(
            "✍️ Đơn vị <b>{}</b> đã ký giao ước thi đua năm {year}. Khối đã ký {k}/{n}.",
            esc(code)
        )
    }

    fn signed_group(&self, code: &str, unit: &str, year: i32, k: usize, n: usize) -> String {
        format!(
            "✍️ <b>{}</b> {} đã ký giao ước năm {year} — đã ký {k}/{n}.",
            esc(code),
            esc(unit)
        )
    }

    fn signed_toast(&self) -> &'static str {
        "✍️ Đã ký giao ước"
    }

    fn reported(&self, t: &TargetLine, period: Period, value: f64, score: f64) -> String {
        format!(
            "✅ Đã ghi <b>{}</b> ({}): {} — mục tiêu {}.\nĐiểm {} hiện tại: {}/100.",
            esc(&t.code),
            self.period(period),
            format_value(self, t.kind, value),
            format_goal(self, t.kind, t.goal),
            self.period(period),
            self.score(score)
        )
    }

    fn bloc_picked(&self, bloc: &str) -> String {
        format!(
            "✅ Các lệnh trong chat riêng giờ áp dụng cho khối <b>{}</b>.",
            esc(bloc)
        )
    }

    fn lang_set(&self) -> &'static str {
        "✅ Đã chuyển sang tiếng Việt."
    }

    fn dashboard(&self) -> &'static Dashboard {
        &DASHBOARD
    }

    fn period(&self, p: Period) -> &'static str {
        match p {
            Period::Mid => "sơ kết 6 tháng",
            Period::Final => "tổng kết năm",
        }
    }

    fn yes_no(&self, b: bool) -> &'static str {
        if b { "có" } else { "không" }
    }

    fn deadline(&self, d: Deadline) -> &'static str {
        match d {
            Deadline::Pledge => "ký giao ước",
            Deadline::Mid => "báo cáo sơ kết 6 tháng",
            Deadline::Final => "báo cáo tổng kết năm",
        }
    }

    fn schedule_updated(&self) -> &'static str {
        "✅ Đã cập nhật lịch."
    }

    fn targets_confirmed(&self, n: u64, year: i32) -> String {
        format!("✅ Đã xác nhận {n} chỉ tiêu năm {year}. Các đơn vị có thể ký giao ước.")
    }

    fn draft(&self) -> &'static str {
        " · 📝 nháp"
    }

    fn bloc_group(&self, bloc: &str) -> String {
        format!("nhóm khối «{bloc}»")
    }

    fn unreachable(&self, who: &str) -> String {
        format!(
            "⚠️ Bot không gửi được tin nhắn cho {}: người này đã chặn bot, chưa bấm Start trong chat riêng với bot, hoặc bot đã bị xóa khỏi nhóm.",
            esc(who)
        )
    }

    fn send_refused(&self, who: &str, reason: &str) -> String {
        format!(
            "⚠️ Telegram từ chối tin nhắn của bot gửi {} ({}). Hãy cho bot quyền gửi tin nhắn (hoặc mở lại chủ đề); bot sẽ thử lại thưa dần và không báo lại.",
            esc(who),
            esc(reason)
        )
    }

    fn older(&self) -> &'static str {
        "◀️ Cũ hơn"
    }

    fn newer(&self) -> &'static str {
        "Mới hơn ▶️"
    }

    fn flow_ask_value(&self, t: &TargetLine) -> String {
        let hint = match t.kind {
            crate::domain::TargetKind::YesNo => "có hoặc không",
            crate::domain::TargetKind::Percent => "một số, ví dụ 60,9",
            crate::domain::TargetKind::Number => "một số, ví dụ 3",
        };
        format!(
            "✏️ <b>{}</b> {} — mục tiêu {}.\nGõ giá trị ({hint}), hoặc /cancel để hủy.",
            esc(&t.code),
            esc(&t.name),
            format_goal(self, t.kind, t.goal)
        )
    }

    fn flow_confirm(&self, t: &TargetLine, value: f64, before: f64, after: f64) -> String {
        format!(
            "❓ Ghi <b>{}</b> = {}?\nĐiểm sẽ đổi từ {} thành <b>{}</b>/100.",
            esc(&t.code),
            format_value(self, t.kind, value),
            self.score(before),
            self.score(after)
        )
    }

    fn confirm_button(&self) -> &'static str {
        "✅ Xác nhận"
    }

    fn cancel_button(&self) -> &'static str {
        "✖️ Hủy"
    }

    fn cancelled(&self) -> &'static str {
        "✖️ Đã hủy báo cáo đang nhập dở."
    }

    fn export_caption(&self, bloc: &str, year: i32) -> String {
        format!("📎 Bảng tính thi đua năm {year} — {}", esc(bloc))
    }

    fn no_targets(&self, bloc: &str, year: i32) -> String {
        format!("Khối {bloc} chưa có chỉ tiêu năm {year}. Thêm bằng /target add.")
    }

    fn signed_count(&self, k: usize, n: usize) -> String {
        format!("đã ký {k}/{n}")
    }

    fn deadline_of(&self, d: Deadline) -> String {
        format!("Hạn {}", self.deadline(d))
    }

    fn reminder_of(&self, d: Deadline) -> String {
        format!("Nhắc hạn {}", self.deadline(d))
    }

    fn remind_days(&self, days: &str) -> String {
        format!(
            "Nhắc trước hạn: {days} ngày, vào ngày hạn chót và ngày hôm sau (danh sách quá hạn gửi quản trị)."
        )
    }

    fn days_left(&self, n: u32) -> String {
        match n {
            0 => "hạn chót là hôm nay".to_owned(),
            n => format!("còn {n} ngày"),
        }
    }

    fn targets_missing(&self, n: usize) -> String {
        format!("Còn {n} chỉ tiêu chưa báo cáo:")
    }

    fn registered_heading(&self, code: &str, year: i32) -> String {
        format!("Đơn vị <b>{code}</b> đăng ký danh hiệu năm {year}:")
    }

    fn pick_target(&self, missing: usize) -> String {
        format!("chọn chỉ tiêu (còn {missing} chưa báo cáo).")
    }

    fn awarded_by(&self, t: &Title) -> &'static str {
        t.awarded_by_vi
    }

    fn review_state(&self, s: &ReviewState) -> String {
        match s {
            ReviewState::Open => "chưa gửi thẩm định".into(),
            ReviewState::Submitted => "đã gửi, chờ thẩm định".into(),
            ReviewState::Approved => "đã duyệt".into(),
            ReviewState::Returned(r) => format!("bị trả lại: {}", esc(r)),
        }
    }

    fn submitted(&self, code: &str, period: Period) -> String {
        format!(
            "📨 Đã gửi kết quả {} của đơn vị <b>{}</b> để thẩm định. Kết quả tạm khóa cho tới khi quản trị khối duyệt hoặc trả lại.",
            self.period(period),
            esc(code)
        )
    }

    fn submitted_notice(&self, code: &str, unit: &str, period: Period) -> String {
        format!(
            "📨 Đơn vị <b>{}</b> {} đã gửi kết quả {} để thẩm định. Xem: /review {} {}",
            esc(code),
            esc(unit),
            self.period(period),
            esc(code),
            period.as_str()
        )
    }

    fn approved(&self, code: &str, period: Period) -> String {
        format!(
            "✅ Đã duyệt kết quả {} của đơn vị <b>{}</b>.",
            self.period(period),
            esc(code)
        )
    }

    fn approved_head(&self, period: Period) -> String {
        format!(
            "✅ Kết quả {} của đơn vị bạn đã được duyệt.",
            self.period(period)
        )
    }

    fn returned(&self, code: &str, period: Period, reason: &str) -> String {
        format!(
            "↩️ Đã trả lại kết quả {} của đơn vị <b>{}</b>. Lý do: {}",
            self.period(period),
            esc(code),
            esc(reason)
        )
    }

    fn returned_head(&self, period: Period, reason: &str) -> String {
        format!(
            "↩️ Kết quả {} của đơn vị bạn bị trả lại. Lý do: {}\nHãy sửa bằng /report rồi gửi lại bằng /submit {}.",
            self.period(period),
            esc(reason),
            period.as_str()
        )
    }

    fn return_cancelled(&self) -> &'static str {
        "✖️ Đã thôi trả lại kết quả."
    }

    fn review_title(&self) -> &'static str {
        "Thẩm định"
    }

    fn approve_button(&self) -> &'static str {
        "✅ Duyệt"
    }

    fn return_button(&self) -> &'static str {
        "↩️ Trả lại"
    }

    fn ask_return_reason(&self, code: &str, period: Period) -> String {
        format!(
            "↩️ Trả lại kết quả {} của đơn vị <b>{}</b>: hãy gửi lý do trong tin nhắn tiếp theo (hoặc /cancel để thôi).",
            self.period(period),
            esc(code)
        )
    }

    fn exempted(&self, unit: &str, target: &str, periods: &[Period], reason: &str) -> String {
        let periods: Vec<&str> = periods.iter().map(|p| self.period(*p)).collect();
        format!(
            "➖ Đã miễn chỉ tiêu <b>{}</b> cho đơn vị <b>{}</b> ({}). Lý do: {}",
            esc(target),
            esc(unit),
            periods.join(", "),
            esc(reason)
        )
    }

    fn unexempted(&self, unit: &str, target: &str, periods: &[Period]) -> String {
        let periods: Vec<&str> = periods.iter().map(|p| self.period(*p)).collect();
        format!(
            "➕ Chỉ tiêu <b>{}</b> lại được tính cho đơn vị <b>{}</b> ({}).",
            esc(target),
            esc(unit),
            periods.join(", ")
        )
    }

    fn exempt_mark(&self) -> &'static str {
        "được miễn"
    }

    fn late_mark(&self) -> &'static str {
        "nộp muộn"
    }

    fn resubmit_reminder(&self, reason: &str) -> String {
        format!(
            "↩️ Kết quả của đơn vị đã bị trả lại. Lý do: {}\nHãy sửa bằng /report rồi gửi lại bằng /submit.",
            esc(reason)
        )
    }

    fn waiting_review(&self, k: usize, period: Period) -> String {
        format!(
            "📥 {k} đơn vị đang chờ thẩm định kết quả {}. Xem: /review {}",
            self.period(period),
            period.as_str()
        )
    }

    fn points_added(&self, unit: &str, points: f64, period: Period, total: f64) -> String {
        format!(
            "🎖 Đã ghi {} điểm cho đơn vị <b>{}</b> ({}). Tổng điểm cộng/trừ kỳ này: {}.",
            super::layout::signed_points(self, points),
            esc(unit),
            self.period(period),
            super::layout::signed_points(self, total)
        )
    }

    fn points_title(&self, unit: &str, period: Period) -> String {
        format!(
            "🎖 <b>Điểm cộng, điểm trừ của {} — {}</b>",
            esc(unit),
            self.period(period)
        )
    }

    fn no_points(&self) -> &'static str {
        "Chưa có điểm cộng hay điểm trừ nào."
    }

    fn points_total(&self) -> &'static str {
        "Tổng"
    }

    fn correction_asked(&self, c: &super::CorrectionView) -> String {
        format!(
            "✏️ Đã gửi đề nghị sửa số #{}: {}. Quản trị khối sẽ chấp nhận hoặc từ chối; bạn sẽ nhận được thông báo.",
            c.no,
            self.correction_line(c)
        )
    }

    fn correction_notice(&self, c: &super::CorrectionView) -> String {
        format!(
            "✏️ Đề nghị sửa số liệu đã duyệt:\n{}",
            self.correction_line(c)
        )
    }

    fn corrections_title(&self) -> &'static str {
        "Đề nghị sửa số liệu đang chờ"
    }

    fn no_corrections(&self) -> &'static str {
        "Không có đề nghị nào đang chờ."
    }

    fn accept_button(&self) -> &'static str {
        "✅ Chấp nhận"
    }

    fn reject_button(&self) -> &'static str {
        "✖️ Từ chối"
    }

    fn correction_accepted(&self, c: &super::CorrectionView) -> String {
        format!(
            "✅ Đã chấp nhận đề nghị #{}: {} của đơn vị <b>{}</b> ({}) nay là <b>{}</b>.",
            c.no,
            esc(&c.target),
            esc(&c.unit),
            self.period(c.period),
            esc(&c.new)
        )
    }

    fn correction_accepted_head(&self, c: &super::CorrectionView) -> String {
        format!(
            "✅ Đề nghị sửa số #{} đã được chấp nhận: {} ({}) nay là <b>{}</b>.",
            c.no,
            esc(&c.target),
            self.period(c.period),
            esc(&c.new)
        )
    }

    fn correction_rejected(&self, c: &super::CorrectionView, reason: &str) -> String {
        format!(
            "✖️ Đã từ chối đề nghị #{} ({} của đơn vị <b>{}</b>). Lý do: {}",
            c.no,
            esc(&c.target),
            esc(&c.unit),
            esc(reason)
        )
    }

    fn correction_rejected_head(&self, c: &super::CorrectionView, reason: &str) -> String {
        format!(
            "✖️ Đề nghị sửa số #{} ({}, {}) bị từ chối; giá trị cũ được giữ nguyên. Lý do: {}",
            c.no,
            esc(&c.target),
            self.period(c.period),
            esc(reason)
        )
    }

    fn ask_reject_reason(&self, no: i64) -> String {
        format!(
            "✖️ Từ chối đề nghị #{no}: hãy gửi lý do trong tin nhắn tiếp theo (hoặc /cancel để thôi)."
        )
    }

    fn reject_cancelled(&self) -> &'static str {
        "Đã thôi từ chối; đề nghị vẫn đang chờ."
    }

    fn evidence_added(&self, target: &str, period: Period, n: usize, max: usize) -> String {
        format!(
            "📎 Đã thêm minh chứng cho chỉ tiêu <b>{}</b> ({}): {n}/{max} tệp.",
            esc(target),
            self.period(period)
        )
    }

    fn no_evidence(&self, unit: &str, target: &str, period: Period) -> String {
        format!(
            "📎 Chỉ tiêu <b>{}</b> của đơn vị <b>{}</b> ({}) chưa có minh chứng nào.",
            esc(target),
            esc(unit),
            self.period(period)
        )
    }

    fn evidence_sent(
        &self,
        unit: &str,
        target: &str,
        period: Period,
        sent: usize,
        gone: &[usize],
    ) -> String {
        let mut s = format!(
            "📎 Minh chứng của chỉ tiêu <b>{}</b>, đơn vị <b>{}</b> ({}): đã gửi lại {sent} tệp.",
            esc(target),
            esc(unit),
            self.period(period)
        );
        if !gone.is_empty() {
            let nos: Vec<String> = gone.iter().map(|n| format!("#{n}")).collect();
            s.push_str(&format!(
                "\n⚠️ Telegram không còn gửi được {} tệp ({}): tệp đã mất, cần gửi lại minh chứng.",
                gone.len(),
                nos.join(", ")
            ));
        }
        s
    }

    fn ballot_title(&self) -> &'static str {
        "Bỏ phiếu kín"
    }

    fn ballot_opened_title(&self) -> &'static str {
        "Đã mở bỏ phiếu kín"
    }

    fn ballot_result_title(&self) -> &'static str {
        "Kết quả bỏ phiếu kín"
    }

    fn ballot_rules(&self, picks: u32, electorate: u32) -> String {
        format!(
            "Mỗi đơn vị chọn tối đa {picks} trong {electorate} đơn vị. Trưởng đơn vị nhận phiếu trong tin nhắn riêng với bot (hoặc gõ /ballot ở đó)."
        )
    }

    fn ballot_pick_hint(&self, picks: u32) -> String {
        format!(
            "Chọn tối đa {picks} đơn vị rồi bấm «Bỏ phiếu». Phiếu kín: không ai, kể cả quản trị khối, biết đơn vị bạn chọn; phiếu đã bỏ không sửa được."
        )
    }

    fn ballot_closes(&self, when: &str) -> String {
        format!("Đóng lúc {when}.")
    }

    fn ballot_closed_at(&self, when: &str) -> String {
        format!("Đã đóng lúc {when}.")
    }

    fn ballot_turnout(&self, voted: u32, electorate: u32) -> String {
        format!("Đơn vị đã bỏ phiếu: <b>{voted}/{electorate}</b>")
    }

    fn ballot_picked(&self) -> &'static str {
        "Đã chọn"
    }

    fn cast_button(&self, picked: u32, most: u32) -> String {
        format!("🗳 Bỏ phiếu ({picked}/{most})")
    }

    fn votes(&self, n: u32) -> String {
        format!("{n} phiếu")
    }

    fn ballot_ended(&self) -> &'static str {
        "⏳ Đã hết giờ bỏ phiếu; kết quả sẽ được công bố trong nhóm của khối trong ít phút."
    }

    fn no_ballot(&self) -> &'static str {
        "Khối chưa có cuộc bỏ phiếu nào năm nay. Quản trị khối mở bỏ phiếu bằng /ballot open trong nhóm."
    }

    fn vote_cast(&self) -> &'static str {
        "✅ Đã ghi nhận phiếu của đơn vị. Phiếu kín: chỉ lưu việc đơn vị đã bỏ phiếu, không lưu đơn vị đã chọn ai. Kết quả được công bố trong nhóm khi đóng."
    }

    fn vote_done(&self) -> &'static str {
        "✅ Đơn vị đã bỏ phiếu."
    }

    fn ballot_closed_here(&self) -> &'static str {
        "✅ Đã đóng bỏ phiếu; kết quả đã được gửi vào nhóm của khối."
    }

    fn proposed(&self, unit: &str, title: &str, registered: bool) -> String {
        let note = if registered {
            ""
        } else {
            "\nLưu ý: đơn vị chưa đăng ký danh hiệu này cho năm nay."
        };
        format!("🏅 Đã đề nghị đơn vị <b>{unit}</b>: <b>{title}</b>.{note}")
    }

    fn proposal_withdrawn(&self, unit: &str, title: &str) -> String {
        format!("✅ Đã rút đề nghị <b>{title}</b> của đơn vị <b>{unit}</b>.")
    }

    fn proposals_title(&self, year: i32) -> String {
        format!("Đề nghị khen thưởng năm {year}")
    }

    fn no_proposals(&self) -> &'static str {
        "Chưa có đề nghị nào. Quản trị khối đề nghị bằng /propose."
    }

    fn registered_mark(&self, registered: bool) -> &'static str {
        if registered {
            "đã đăng ký danh hiệu"
        } else {
            "chưa đăng ký danh hiệu này"
        }
    }

    fn final_rank(&self, rank: Option<usize>) -> String {
        match rank {
            Some(r) => format!("hạng tổng kết {r}"),
            None => "chưa xếp hạng tổng kết".into(),
        }
    }

    fn reason_label(&self) -> &'static str {
        "Lý do"
    }

    fn minutes_caption(&self, bloc: &str, year: i32) -> String {
        format!("📄 Biên bản họp bình xét thi đua năm {year} — {bloc}")
    }
}

/// The Vietnamese words for an audit-log action, as a reader of the
/// exported log expects them. Exhaustive: a new action needs its words.
pub(super) fn audit_action(a: crate::storage::audit::Action) -> &'static str {
    use crate::storage::audit::Action;
    match a {
        Action::BlocCreate => "Tạo khối thi đua",
        Action::AdminAdd => "Thêm quản trị khối",
        Action::UnitAdd => "Thêm đơn vị",
        Action::InviteCreate => "Tạo mã mời",
        Action::UnitHead => "Nhận làm trưởng đơn vị",
        Action::TargetAdd => "Thêm chỉ tiêu",
        Action::TargetGoal => "Đặt mục tiêu riêng cho đơn vị",
        Action::TargetRemove => "Bỏ chỉ tiêu",
        Action::TargetConfirm => "Xác nhận bộ chỉ tiêu",
        Action::TargetArchive => "Lưu trữ chỉ tiêu",
        Action::TargetRestore => "Khôi phục chỉ tiêu",
        Action::TitleRegister => "Đăng ký danh hiệu",
        Action::PledgeSign => "Ký giao ước",
        Action::Report => "Báo cáo kết quả",
        Action::Schedule => "Thay đổi lịch",
        Action::UserBloc => "Chọn khối",
        Action::UserLang => "Đổi ngôn ngữ",
        Action::ReviewSubmit => "Gửi kết quả thẩm định",
        Action::ReviewApprove => "Duyệt kết quả",
        Action::ReviewReturn => "Trả lại kết quả",
        Action::Exempt => "Miễn chỉ tiêu",
        Action::ExemptRemove => "Bỏ miễn chỉ tiêu",
        Action::Points => "Điểm cộng, điểm trừ",
        Action::CorrectionRequest => "Đề nghị sửa số liệu đã duyệt",
        Action::CorrectionAccept => "Chấp nhận sửa số liệu",
        Action::CorrectionReject => "Từ chối sửa số liệu",
        Action::EvidenceAdd => "Thêm minh chứng",
        Action::BallotOpen => "Mở bỏ phiếu kín",
        Action::BallotClose => "Đóng bỏ phiếu kín",
        Action::ProposalAdd => "Đề nghị khen thưởng",
        Action::ProposalRemove => "Rút đề nghị khen thưởng",
    }
}
