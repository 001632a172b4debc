-- One index on reports instead of two. Every report wrote a random page of
-- each to the WAL at commit; this one serves all three uses:
-- - the latest value of (unit, target, period), read by each report's audit row;
-- - a bloc's reports of a period, read by every standings load (by target);
-- - deleting a target (the foreign key finds its reports by target).
DROP INDEX reports_lookup;
DROP INDEX reports_target;
CREATE INDEX reports_by_target ON reports(target_id, period, unit_id, id);
