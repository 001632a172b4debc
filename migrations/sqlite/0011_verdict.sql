-- Verdict (bình xét, issue 15): the secret ballot (bỏ phiếu suy tôn) and the
-- proposals for commendation (đề nghị khen thưởng).
--
-- Secret by construction: who voted (ballot_voters) and what was voted
-- (ballot_counts) share no row, no key and no time. A unit's picks before it
-- casts live only in its head's private message (the buttons' data), never
-- here; a cast adds one to each picked unit's count and records that the
-- voting unit voted, in one transaction.

CREATE TABLE ballots (
    id           INTEGER PRIMARY KEY,
    bloc_id      INTEGER NOT NULL REFERENCES blocs(id) ON DELETE CASCADE,
    year         INTEGER NOT NULL,
    question     TEXT    NOT NULL,
    -- Most units a voter may pick.
    picks        INTEGER NOT NULL CHECK (picks >= 1),
    opened_by    INTEGER NOT NULL,
    opened_at    TEXT    NOT NULL,
    closes_at    TEXT    NOT NULL,
    closed_at    TEXT,
    -- The result was handed to Telegram for the bloc group (or to the
    -- outbox of the /ballot close that closed it): posted once.
    announced_at TEXT
);
-- One open ballot per bloc.
CREATE UNIQUE INDEX ballots_one_open ON ballots(bloc_id) WHERE closed_at IS NULL;
-- The scheduler's look for ballots to close or announce.
CREATE INDEX ballots_pending ON ballots(closes_at) WHERE announced_at IS NULL;

-- The candidates (the bloc's units when the ballot opened), their place on
-- the ballot (a button, a bit of the picks) and their votes. WITHOUT ROWID:
-- rows are kept in key order, not in the order votes came.
CREATE TABLE ballot_counts (
    ballot_id   INTEGER NOT NULL REFERENCES ballots(id) ON DELETE CASCADE,
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    slot        INTEGER NOT NULL CHECK (slot BETWEEN 0 AND 63),
    votes       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (ballot_id, unit_id),
    UNIQUE (ballot_id, slot)
) WITHOUT ROWID;

-- The units that voted: turnout and one vote per unit. No time, no choice.
CREATE TABLE ballot_voters (
    ballot_id   INTEGER NOT NULL REFERENCES ballots(id) ON DELETE CASCADE,
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    PRIMARY KEY (ballot_id, unit_id)
) WITHOUT ROWID;

-- The year's proposals: data the bloc sends on; thidua does not decide awards.
CREATE TABLE proposals (
    id          INTEGER PRIMARY KEY,
    bloc_id     INTEGER NOT NULL REFERENCES blocs(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    proposed_by INTEGER NOT NULL,
    proposer    TEXT    NOT NULL,
    proposed_at TEXT    NOT NULL,
    CONSTRAINT proposals_once UNIQUE (unit_id, year, title)
);
CREATE INDEX proposals_bloc ON proposals(bloc_id, year);
