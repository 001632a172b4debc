-- Deadlines per bloc and year, the reminder ledger, unreachable chats, and
-- draft targets copied at a year rollover.

-- A bloc's plan for a year; no row means the contract's defaults.
CREATE TABLE schedules (
    bloc_id     INTEGER NOT NULL REFERENCES blocs(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,
    pledge_date TEXT    NOT NULL,
    mid_date    TEXT    NOT NULL,
    final_date  TEXT    NOT NULL,
    remind_days TEXT    NOT NULL,
    send_time   TEXT    NOT NULL,
    PRIMARY KEY (bloc_id, year)
);

-- One row per message the scheduler sends, claimed before sending and marked
-- after Telegram accepted it, so a restart neither repeats nor drops it.
CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY,
    bloc_id     INTEGER NOT NULL REFERENCES blocs(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,
    deadline    TEXT    NOT NULL CHECK (deadline IN ('pledge', 'mid', 'final')),
    day         TEXT    NOT NULL,
    recipient   INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('head', 'summary', 'overdue')),
    text        TEXT    NOT NULL,
    claimed_at  TEXT    NOT NULL,
    sent_at     TEXT,
    failed_at   TEXT,
    error       TEXT,
    CONSTRAINT reminders_once UNIQUE (bloc_id, year, deadline, day, recipient)
);
CREATE INDEX reminders_pending ON reminders(sent_at, failed_at);

-- Chats that refused our messages (403): recorded once, admins told once.
CREATE TABLE unreachable (
    bloc_id     INTEGER NOT NULL REFERENCES blocs(id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    PRIMARY KEY (bloc_id, chat_id)
);

-- Targets copied from the previous year wait for an admin's confirmation.
ALTER TABLE targets ADD COLUMN draft INTEGER NOT NULL DEFAULT 0;

-- Years whose targets were already prepared (copied or deliberately empty).
CREATE TABLE rollovers (
    bloc_id     INTEGER NOT NULL REFERENCES blocs(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,
    copied      INTEGER NOT NULL,
    at          TEXT    NOT NULL,
    PRIMARY KEY (bloc_id, year)
);
