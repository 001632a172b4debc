-- Review (thẩm định, issue 14): a unit's results for a period are submitted,
-- then approved or returned with a reason; targets may be exempt for a unit;
-- bonus and penalty points; corrections after approval; evidence files.

-- The review state of a unit's period. No row: open (the head reports).
CREATE TABLE reviews (
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,
    period      TEXT    NOT NULL CHECK (period IN ('mid', 'final')),
    state       TEXT    NOT NULL CHECK (state IN ('submitted', 'approved', 'returned')),
    -- Why it was last returned (kept after a new submit, for the record).
    reason      TEXT,
    changed_by  INTEGER NOT NULL,
    changed_at  TEXT    NOT NULL,
    PRIMARY KEY (unit_id, year, period)
);

-- A target that does not apply to a unit in a period: out of its score, its
-- reminders and its k/T. (A target belongs to one year.)
CREATE TABLE exemptions (
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    target_id   INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    period      TEXT    NOT NULL CHECK (period IN ('mid', 'final')),
    reason      TEXT    NOT NULL,
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (unit_id, target_id, period)
);

-- Bonus (+) and penalty (−) entries, in tenths of a point; append-only: an
-- entry is cancelled by adding its opposite.
CREATE TABLE points (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,
    period      TEXT    NOT NULL CHECK (period IN ('mid', 'final')),
    tenths      INTEGER NOT NULL CHECK (tenths != 0 AND tenths BETWEEN -1000 AND 1000),
    reason      TEXT    NOT NULL,
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX points_unit ON points(unit_id, year, period);

-- An admin pressed Return on a unit's sheet: the reason comes as their next
-- message in that chat (kept across a restart; lapses after 30 minutes).
CREATE TABLE return_reasons (
    user_id     INTEGER NOT NULL,
    chat_id     INTEGER NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,
    period      TEXT    NOT NULL CHECK (period IN ('mid', 'final')),
    expires_at  TEXT    NOT NULL,
    PRIMARY KEY (user_id, chat_id)
);
