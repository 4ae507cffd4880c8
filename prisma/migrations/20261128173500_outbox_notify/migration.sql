-- Wakes the outbox dispatcher (LISTEN cairn_outbox) as soon as a use case commits
-- something to deliver, instead of at its next poll. Not part of schema.prisma:
-- Prisma does not model triggers, and the drift check ignores them.
CREATE FUNCTION cairn_outbox_notify() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('cairn_outbox', NEW.id::text);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER outbox_message_notify
AFTER INSERT ON outbox_message
FOR EACH ROW EXECUTE FUNCTION cairn_outbox_notify();
