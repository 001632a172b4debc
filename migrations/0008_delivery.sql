-- Delivery marks (issue 12).
--
-- A mark per message of an applied update once Telegram accepted it (or
-- refused it for good): a redelivered update, or a restart, sends only the
-- messages without a mark. Pruned with the update (no foreign key: a mark
-- may come after its update was pruned).
CREATE TABLE outbox_sent (
    update_id   INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (update_id, seq)
);

-- Every message stored before this migration was sent (replies were sent
-- while the update was handled): mark them all, so that nothing is sent twice.
INSERT INTO outbox_sent (update_id, seq)
SELECT p.update_id, j.key FROM processed_updates p, json_each(p.outbox) j;

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
