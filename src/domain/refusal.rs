//! Why a command was refused. Rendered for users by `text`, never built as a
//! string in handlers.

/// The commands of the contract, as far as usage and help are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandKind {
    /// `/start [invite]`
    Start,
    /// `/help`
    Help,
    /// `/newbloc <name>`
    NewBloc,
    /// `/addadmin` as a reply
    AddAdmin,
    /// `/addunit <CODE> <name>`
    AddUnit,
    /// `/units`
    Units,
    /// `/invite <CODE>`
    Invite,
    /// `/join <invite>`
    Join,
    /// `/target add ...`
    TargetAdd,
    /// `/target set ...`
    TargetSet,
    /// `/target remove ...`
    TargetRemove,
    /// `/target restore ...`
    TargetRestore,
    /// `/target list` and `/targets`
    TargetList,
    /// `/target` with no or an unknown sub-command
    Target,
    /// `/pledge`
    Pledge,
    /// `/pledge sign` and the sign button
    PledgeSign,
    /// `/pledges`
    Pledges,
    /// `/report ...`
    Report,
    /// `/status`
    Status,
    /// `/standings [mid|final] [year]`
    Standings,
    /// `/bloc [name or id]`
    Bloc,
    /// `/lang <vi|en>`
    Lang,
    /// `/schedule`
    Schedule,
    /// `/schedule set <pledge|mid|final> <YYYY-MM-DD>`
    ScheduleSet,
    /// `/schedule remind <d1,d2,...>`
    ScheduleRemind,
    /// `/schedule time <HH:MM>`
    ScheduleTime,
    /// `/schedule tz <IANA zone>`
    ScheduleTz,
    /// `/target confirm`
    TargetConfirm,
    /// `/titles`
    Titles,
    /// `/register <TITLE>...`
    Register,
    /// `/chart [mid|final]`
    Chart,
    /// `/export [year]`
    Export,
    /// `/history [UNIT]`
    History,
    /// `/cancel`
    Cancel,
    /// `/submit [mid|final]`
    Submit,
    /// `/review [UNIT] [mid|final]`
    Review,
    /// `/approve <UNIT> [mid|final]`
    Approve,
    /// `/return <UNIT> [mid|final] <reason>`
    Return,
    /// `/exempt [remove] <UNIT> <TARGET> [mid|final] [reason]`
    Exempt,
    /// `/points <UNIT> [±N] [mid|final] [reason]`
    Points,
    /// `/correct <TARGET> [mid|final] <value> <reason>`
    Correct,
    /// `/corrections`
    Corrections,
    /// `/accept <N>` and the Accept button
    Accept,
    /// `/reject <N> <reason>` and the Reject button
    Reject,
    /// `/evidence [UNIT] <TARGET> [mid|final]`
    Evidence,
    /// `/ballot`
    Ballot,
    /// `/ballot open <K> <hours> <question>`
    BallotOpen,
    /// `/ballot close`
    BallotClose,
    /// A ballot's buttons: pick, unpick, cast.
    Vote,
    /// `/propose [remove] <UNIT> <TITLE> [reason]`
    Propose,
    /// `/proposals [year]`
    Proposals,
    /// `/minutes [year]`
    Minutes,
}

impl CommandKind {
    /// Every command, in the order `/help` lists them.
    pub const ALL: [CommandKind; 52] = [
        CommandKind::Start,
        CommandKind::Help,
        CommandKind::Bloc,
        CommandKind::Lang,
        CommandKind::Join,
        CommandKind::Pledge,
        CommandKind::PledgeSign,
        CommandKind::Report,
        CommandKind::Status,
        CommandKind::Units,
        CommandKind::TargetList,
        CommandKind::Pledges,
        CommandKind::Standings,
        CommandKind::Chart,
        CommandKind::Titles,
        CommandKind::Register,
        CommandKind::Cancel,
        CommandKind::Submit,
        CommandKind::Export,
        CommandKind::History,
        CommandKind::NewBloc,
        CommandKind::AddAdmin,
        CommandKind::AddUnit,
        CommandKind::Invite,
        CommandKind::TargetAdd,
        CommandKind::TargetSet,
        CommandKind::TargetRemove,
        CommandKind::TargetRestore,
        CommandKind::TargetConfirm,
        CommandKind::Target,
        CommandKind::Schedule,
        CommandKind::ScheduleSet,
        CommandKind::ScheduleRemind,
        CommandKind::ScheduleTime,
        CommandKind::ScheduleTz,
        CommandKind::Review,
        CommandKind::Approve,
        CommandKind::Return,
        CommandKind::Exempt,
        CommandKind::Points,
        CommandKind::Correct,
        CommandKind::Corrections,
        CommandKind::Accept,
        CommandKind::Reject,
        CommandKind::Evidence,
        CommandKind::Ballot,
        CommandKind::Vote,
        CommandKind::Proposals,
        CommandKind::BallotOpen,
        CommandKind::BallotClose,
        CommandKind::Propose,
        CommandKind::Minutes,
    ];
}

use super::schedule::Deadline;
use chrono::NaiveDate;

/// A refusal users see: why, in domain terms. The usage line comes from the
/// command it refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Arguments missing or malformed in a way the usage explains.
    BadUsage,
    /// A code outside `A-Z 0-9 _ -` or longer than 16.
    BadCode(String),
    /// A target code that reads like a period.
    ReservedCode(String),
    /// Kind is not percent, number or yesno.
    BadKind(String),
    /// Goal does not parse for the kind.
    BadGoal(String),
    /// Weight is not a positive integer.
    BadWeight(String),
    /// A value does not parse for the target's kind.
    BadValue {
        /// What was typed.
        raw: String,
        /// The target's kind.
        yes_no: bool,
    },
    /// Not `mid` or `final`.
    BadPeriod(String),
    /// Not a year between 2000 and 2100.
    BadYear(String),
    /// Not `vi` or `en`.
    BadLang(String),
    /// A name or note is empty or too long.
    BadText {
        /// Longest allowed, in characters.
        max: usize,
    },
    /// The unit code exists already in this bloc.
    DuplicateUnit(String),
    /// The target code exists already this year.
    DuplicateTarget(String),
    /// No such unit in this bloc.
    UnknownUnit(String),
    /// No such target this year.
    UnknownTarget(String),
    /// No such bloc among the user's.
    UnknownBloc(String),
    /// The invite does not exist.
    InviteUnknown,
    /// The invite was used already.
    InviteUsed,
    /// The invite expired, or a newer one for its unit replaced it.
    InviteExpired,
    /// An invite asked in a group goes to the admin's private chat, which
    /// the admin has not opened yet.
    NeedPrivateChat {
        /// The bot's username.
        bot: String,
    },
    /// The user heads another unit of the same bloc.
    AlreadyHead {
        /// That unit's code.
        unit: String,
    },
    /// Only a Telegram admin of the group may do this.
    NotGroupAdmin,
    /// Only a bloc admin may do this.
    NotBlocAdmin,
    /// Only a unit head may do this.
    NotUnitHead,
    /// Only this unit's head may do this.
    NotYourUnit,
    /// Sent on behalf of a chat (anonymous admin, channel).
    Anonymous,
    /// Must be used in a group.
    GroupOnly,
    /// Must be used in a private chat with the bot.
    PrivateOnly,
    /// This group is not a bloc yet.
    NotABloc,
    /// This group is a bloc already.
    AlreadyABloc(String),
    /// The user belongs to no bloc.
    NoBloc,
    /// The user belongs to several blocs and picked none.
    ChooseBloc,
    /// `/addadmin` must answer a message of the new admin.
    NotAReply,
    /// A bot or anonymous sender cannot be made admin.
    CannotPromote,
    /// Already a bloc admin.
    AlreadyAdmin,
    /// The pledge is signed already.
    AlreadySigned,
    /// There are no targets to sign or report yet.
    NoTargets,
    /// Not a command of this bot.
    UnknownCommand,
    /// Not `pledge`, `mid` or `final`.
    BadDeadline(String),
    /// Not a `YYYY-MM-DD` date.
    BadDate(String),
    /// Not an `HH:MM` time.
    BadTime(String),
    /// Not a list of reminder days.
    BadRemind(String),
    /// Not an IANA time zone.
    BadTimeZone(String),
    /// No draft targets to confirm.
    NoDrafts,
    /// Not a title of the catalogue.
    UnknownTitle(String),
    /// No guided flow to continue or cancel.
    NoFlow,
    /// The guided flow lapsed (30 minutes).
    FlowExpired,
    /// `/target remove` of a target archived already.
    TargetArchived(String),
    /// `/target add` of a code whose target is archived this year: restore it.
    TargetArchivedExists(String),
    /// `/target restore` of a target that is not archived.
    TargetNotArchived(String),
    /// A deadline moved to a date outside the schedule's year.
    DateOutsideYear {
        /// The date asked for.
        date: NaiveDate,
        /// The schedule's year.
        year: i32,
    },
    /// A deadline moved past a neighbour: pledge ≤ mid ≤ final must hold.
    DeadlineOrder {
        /// The deadline moved.
        moved: Deadline,
        /// The date asked for.
        date: NaiveDate,
        /// The deadline it would cross.
        other: Deadline,
        /// That deadline's date.
        other_date: NaiveDate,
    },
    /// The period's results are submitted (or approved) and locked for the
    /// head: wait for the review, or ask a correction after approval.
    ReportLocked {
        /// Approved (else submitted).
        approved: bool,
    },
    /// `/submit` while targets still have no value (and are not exempt).
    SubmitMissing(Vec<String>),
    /// `/submit` of a period already submitted.
    AlreadySubmitted,
    /// The period was approved already.
    AlreadyApproved,
    /// `/approve` or `/return` of a unit that has not submitted.
    NotSubmitted,
    /// `/return` without a reason.
    ReasonRequired,
    /// Not a signed amount with one decimal, 0 < |N| ≤ 100.
    BadPoints(String),
    /// `/exempt` of a target exempt already for that unit and period.
    AlreadyExempt(String),
    /// `/exempt remove` of a target that is not exempt.
    NotExempt(String),
    /// `/correct` before the period was approved: `/report` still applies
    /// (or the review is pending).
    NotApprovedYet,
    /// A reason is required (`/correct`, `/reject`).
    ReasonNeeded,
    /// Not a request number.
    BadRequestNo(String),
    /// No correction request with this number in the bloc.
    UnknownCorrection(i64),
    /// The request was decided already (accepted or not).
    CorrectionDecided {
        /// It was accepted.
        accepted: bool,
    },
    /// `/evidence <TARGET>` came with no photo or document, nor as a reply to one.
    EvidenceNoFile,
    /// The value has the most evidence files already.
    EvidenceFull {
        /// The most allowed.
        max: usize,
    },
    /// This file is evidence of that value already.
    EvidenceAlready,
    /// A sign button that is not for the current year's pledge (a previous
    /// year's message, or data this version does not read): `/pledge` again.
    StaleSignButton {
        /// The button's year, when its data names one.
        year: Option<i32>,
    },
    /// `/ballot open`: K is not a number from 1 to 64.
    BadPicks(String),
    /// `/ballot open`: hours not from 1 to 336.
    BadHours(String),
    /// `/ballot open`: K is not less than the bloc's units.
    PicksAboveUnits {
        /// Units of the bloc.
        units: usize,
    },
    /// `/ballot open` in a bloc with more units than a ballot holds (or fewer than two).
    BallotSize {
        /// Units of the bloc.
        units: usize,
    },
    /// A ballot is open already in this bloc.
    BallotOpen,
    /// No ballot is open in this bloc.
    NoOpenBallot,
    /// The ballot closed: no more votes, no more picks.
    BallotClosed,
    /// This unit voted already: a vote is final.
    AlreadyVoted,
    /// The voter's unit was not in the bloc when the ballot opened.
    NotOnBallot,
    /// More picks than the ballot allows.
    TooManyPicks {
        /// The most allowed.
        most: u32,
    },
    /// A ballot button this version or this ballot cannot read.
    BallotStale,
    /// `/propose` of a unit and title proposed already this year.
    ProposalExists {
        /// Unit code.
        unit: String,
        /// Title code.
        title: String,
    },
    /// `/propose remove` of a proposal that does not exist.
    NoProposal {
        /// Unit code.
        unit: String,
        /// Title code.
        title: String,
    },
}
