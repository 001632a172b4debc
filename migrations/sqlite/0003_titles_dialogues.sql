-- Titles a unit registers for its year, and the state of guided reporting.

CREATE TABLE registrations (
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    registered_by INTEGER NOT NULL,
    registered_at TEXT  NOT NULL,
    PRIMARY KEY (unit_id, year, title)
);

-- One guided /report flow per user, persisted so it survives a restart.
CREATE TABLE dialogues (
    user_id     INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    period      TEXT    NOT NULL CHECK (period IN ('mid', 'final')),
    target_id   INTEGER REFERENCES targets(id) ON DELETE CASCADE,
    value_raw   TEXT,
    expires_at  TEXT    NOT NULL
);
