-- thidua: blocs, units, invites, targets, pledges, reports, users, audit.
-- All instants are UTC text as sqlx encodes chrono::DateTime<Utc>.

CREATE TABLE blocs (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    tz          TEXT    NOT NULL,
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL
);

CREATE TABLE bloc_admins (
    bloc_id     INTEGER NOT NULL REFERENCES blocs(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    added_by    INTEGER NOT NULL,
    added_at    TEXT    NOT NULL,
    PRIMARY KEY (bloc_id, user_id)
);
CREATE INDEX bloc_admins_user ON bloc_admins(user_id);

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    bloc_id     INTEGER NOT NULL REFERENCES blocs(id) ON DELETE CASCADE,
    code        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    head_user_id INTEGER,
    head_name   TEXT,
    created_at  TEXT    NOT NULL,
    CONSTRAINT units_code_unique UNIQUE (bloc_id, code)
);
CREATE INDEX units_head ON units(head_user_id);

CREATE TABLE invites (
    token       TEXT    PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    used_by     INTEGER,
    used_at     TEXT
);

CREATE TABLE targets (
    id          INTEGER PRIMARY KEY,
    bloc_id     INTEGER NOT NULL REFERENCES blocs(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,
    code        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('percent', 'number', 'yesno')),
    op          TEXT    NOT NULL CHECK (op IN ('>=', '<=', '=')),
    goal        REAL    NOT NULL,
    weight      INTEGER NOT NULL CHECK (weight > 0),
    name        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    CONSTRAINT targets_code_unique UNIQUE (bloc_id, year, code)
);

CREATE TABLE unit_goals (
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    target_id   INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    op          TEXT    NOT NULL CHECK (op IN ('>=', '<=', '=')),
    goal        REAL    NOT NULL,
    PRIMARY KEY (unit_id, target_id)
);

CREATE TABLE pledges (
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,
    signed_by   INTEGER NOT NULL,
    signed_at   TEXT    NOT NULL,
    PRIMARY KEY (unit_id, year)
);

-- Append-only: the latest row per (unit, target, period) counts; earlier rows are history.
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    target_id   INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    period      TEXT    NOT NULL CHECK (period IN ('mid', 'final')),
    value       REAL    NOT NULL,
    raw         TEXT    NOT NULL,
    note        TEXT    NOT NULL,
    reported_by INTEGER NOT NULL,
    reported_at TEXT    NOT NULL
);
CREATE INDEX reports_lookup ON reports(unit_id, period, target_id, id);
CREATE INDEX reports_target ON reports(target_id);

CREATE TABLE users (
    user_id         INTEGER PRIMARY KEY,
    lang            TEXT CHECK (lang IN ('vi', 'en')),
    current_bloc_id INTEGER REFERENCES blocs(id) ON DELETE SET NULL
);

-- Updates whose writes committed, with the messages they produced, so that a
-- redelivered update changes nothing and only repeats its replies.
CREATE TABLE processed_updates (
    update_id   INTEGER PRIMARY KEY,
    processed_at TEXT   NOT NULL,
    outbox      TEXT    NOT NULL
);
CREATE INDEX processed_updates_at ON processed_updates(processed_at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,
    bloc_id     INTEGER REFERENCES blocs(id) ON DELETE CASCADE,
    unit_id     INTEGER REFERENCES units(id) ON DELETE SET NULL,
    action      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    old_value   TEXT,
    new_value   TEXT
);
CREATE INDEX audit_log_bloc ON audit_log(bloc_id, id);
