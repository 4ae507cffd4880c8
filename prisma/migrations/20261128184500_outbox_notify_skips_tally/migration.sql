-- A tally change is delivered after a deliberate delay (vote-card edits are
-- coalesced), so waking the dispatcher at its commit gains nothing; and a
-- NOTIFY serialises committing transactions on a global lock, which halved the
-- throughput of small write transactions measured here. Tally rows are found by
-- the dispatcher's poll; every other row still wakes it at once.
DROP TRIGGER outbox_message_notify ON outbox_message;

CREATE TRIGGER outbox_message_notify
AFTER INSERT ON outbox_message
FOR EACH ROW WHEN (NEW.kind <> 'TALLY') EXECUTE FUNCTION cairn_outbox_notify();
