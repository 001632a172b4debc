-- A target removed after values were reported for it is archived, not
-- deleted: it leaves the pledge, the scores and the reminders, while its
-- reports stay (for /history, the export's audit, and /target restore).
-- NULL: in use. Existing targets stay in use.
ALTER TABLE targets ADD COLUMN archived_at TEXT;
