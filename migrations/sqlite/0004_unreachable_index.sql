-- Private messages check whether their sender was marked unreachable.
CREATE INDEX unreachable_chat ON unreachable(chat_id);
