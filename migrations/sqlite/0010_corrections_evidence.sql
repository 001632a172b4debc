-- Corrections after approval and evidence files (issue 14, second part).

-- A head asks to change one value of an approved period; a bloc admin
-- accepts (a new report row replaces the value, history kept) or rejects
-- it with a reason. `no` numbers the requests within their bloc.
CREATE TABLE corrections (
    id              INTEGER PRIMARY KEY,
    bloc_id         INTEGER NOT NULL REFERENCES blocs(id) ON DELETE CASCADE,
    no              INTEGER NOT NULL,
    unit_id         INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    target_id       INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    year            INTEGER NOT NULL,
    period          TEXT    NOT NULL CHECK (period IN ('mid', 'final')),
    -- The value as typed when asked (none if there was none), and the new one.
    old_raw         TEXT,
    value           REAL    NOT NULL,
    raw             TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    requested_by    INTEGER NOT NULL,
    requested_at    TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'accepted', 'rejected')),
    decided_by      INTEGER,
    decided_at      TEXT,
    -- Why it was rejected.
    decision_reason TEXT,
    UNIQUE (bloc_id, no)
);
CREATE INDEX corrections_pending ON corrections(bloc_id, state);

-- An admin pressed Reject on a request: the reason comes as their next
-- message in that chat (kept across a restart; lapses after 30 minutes).
CREATE TABLE reject_reasons (
    user_id       INTEGER NOT NULL,
    chat_id       INTEGER NOT NULL,
    correction_id INTEGER NOT NULL REFERENCES corrections(id) ON DELETE CASCADE,
    expires_at    TEXT    NOT NULL,
    PRIMARY KEY (user_id, chat_id)
);

-- Evidence (minh chứng) of a value: Telegram file ids only, no file is kept.
CREATE TABLE evidence (
    id              INTEGER PRIMARY KEY,
    unit_id         INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    target_id       INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    period          TEXT    NOT NULL CHECK (period IN ('mid', 'final')),
    kind            TEXT    NOT NULL CHECK (kind IN ('photo', 'document')),
    file_id         TEXT    NOT NULL,
    -- The same file sent twice has the same unique id (its file_id may differ).
    file_unique_id  TEXT    NOT NULL,
    added_by        INTEGER NOT NULL,
    added_at        TEXT    NOT NULL,
    UNIQUE (unit_id, target_id, period, file_unique_id)
);
