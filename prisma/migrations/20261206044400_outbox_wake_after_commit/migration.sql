-- The dispatcher is woken by the store after a transaction that wrote something
-- to deliver has committed (SqlStore.wake, a NOTIFY of its own that does not wait
-- for the disk), no longer by a trigger: a NOTIFY inside the writing transaction
-- takes one lock that every committing transaction with a NOTIFY waits for, held
-- through its flush, which capped logged contributions and deciding votes at one
-- commit at a time.
DROP TRIGGER outbox_message_notify ON outbox_message;
DROP FUNCTION cairn_outbox_notify();
