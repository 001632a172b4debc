-- Delivery marks (issue 12).
--
-- A mark per message of an applied update once Telegram accepted it (or
-- refused it for good), as bit `seq` of `sent`: a redelivered update, or a
-- restart, sends only the messages without a mark. A bit of the row the
-- update already wrote, rather than a row of its own: a mark then dirties a
-- page the same commit mostly writes anyway.
ALTER TABLE processed_updates ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;

-- Every message stored before this migration was sent (replies were sent
-- while the update was handled): mark them all, so that nothing is sent twice.
UPDATE processed_updates SET sent = (1 << min(json_array_length(outbox), 62)) - 1;

-- A reminder that Telegram refused with a 400 (no rights to post, a closed
-- topic) is retried with backoff rather than every minute.
ALTER TABLE reminders ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reminders ADD COLUMN retry_at TEXT;

-- Chats whose sends Telegram keeps refusing (400) though the bot is still
-- there: the admins are told once, until a send to it succeeds again.
CREATE TABLE send_trouble (
    bloc_id     INTEGER NOT NULL REFERENCES blocs(id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    PRIMARY KEY (bloc_id, chat_id)
);
