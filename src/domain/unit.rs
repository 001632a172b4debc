//! A unit (đơn vị) of a bloc: what competes, reports and signs a pledge.

/// A unit and its head.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Row id.
    pub id: i64,
    /// Its bloc.
    pub bloc_id: i64,
    /// Code, upper-case.
    pub code: String,
    /// Full name.
    pub name: String,
    /// Telegram user id of its head.
    pub head_user_id: Option<i64>,
    /// Display name of its head when they joined.
    pub head_name: Option<String>,
}
