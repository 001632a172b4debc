//! The updates heads send: the mix of commands, from a fixed
//! pseudo-random sequence so that every run sends the same ones.

use crate::seed::TARGETS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Report,
    Status,
    Standings,
    Pledges,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Report, Kind::Status, Kind::Standings, Kind::Pledges];

    /// Share of the mix, in percent.
    pub fn share(self) -> usize {
        match self {
            Kind::Report => 40,
            Kind::Status => 30,
            Kind::Standings => 20,
            Kind::Pledges => 10,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Report => "report",
            Kind::Status => "status",
            Kind::Standings => "standings",
            Kind::Pledges => "pledges",
        }
    }
}

/// splitmix64: a fixed, dependency-free sequence, so every run sends the
/// same updates.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// What a head types for one command.
fn command_text(kind: Kind, rng: &mut Rng) -> String {
    match kind {
        Kind::Report => {
            let (code, k, ..) = TARGETS[rng.below(TARGETS.len())];
            let value = match k {
                "percent" => (60 + rng.below(60)).to_string(),
                "yesno" => if rng.below(4) == 0 { "không" } else { "có" }.to_owned(),
                _ => rng.below(12).to_string(),
            };
            format!("/report {code} {value}")
        }
        Kind::Status => "/status".into(),
        Kind::Standings => "/standings".into(),
        Kind::Pledges => "/pledges".into(),
    }
}

/// `n` commands in the proportions (exact counts), shuffled, each
/// from a head picked at random.
pub fn mix(n: usize, heads: &[i64], rng: &mut Rng) -> Vec<Msg> {
    let mut kinds = Vec::with_capacity(n);
    for k in Kind::ALL {
        kinds.extend(std::iter::repeat_n(k, n * k.share() / 100));
    }
    while kinds.len() < n {
        kinds.push(Kind::Report);
    }
    for i in (1..kinds.len()).rev() {
        kinds.swap(i, rng.below(i + 1));
    }
    kinds
        .into_iter()
        .map(|kind| Msg {
            kind,
            chat: heads[rng.below(heads.len())],
            text: command_text(kind, rng),
        })
        .collect()
}

/// `n` commands of one kind.
pub fn only(kind: Kind, n: usize, heads: &[i64], rng: &mut Rng) -> Vec<Msg> {
    (0..n)
        .map(|_| Msg {
            kind,
            chat: heads[rng.below(heads.len())],
            text: command_text(kind, rng),
        })
        .collect()
}

/// One message of a head to the bot in private.
#[derive(Debug, Clone)]
pub struct Msg {
    pub kind: Kind,
    pub chat: i64,
    pub text: String,
}
