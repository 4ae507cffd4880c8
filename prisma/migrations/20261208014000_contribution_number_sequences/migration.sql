-- A community's contribution numbers come from a sequence of its own,
-- contribution_number_<community id>, instead of a counter row: nextval takes no
-- lock and is not undone by a rollback, so the contribution's insert takes its
-- number itself, in its own statement, and no transaction of its own is spent on
-- the number. A sequence is created with each community (the trigger below) and
-- dropped with it. After a crash a sequence may skip up to 32 numbers (PostgreSQL
-- logs sequences ahead); numbers stay unique and increasing.

CREATE FUNCTION "contribution_number_sequence_create"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Beside the community table whatever the session's search_path. A leftover of an
  -- earlier community with the same id (ids reset by hand) starts over.
  EXECUTE format('DROP SEQUENCE IF EXISTS %I.%I', TG_TABLE_SCHEMA, 'contribution_number_' || NEW."id");
  EXECUTE format('CREATE SEQUENCE %I.%I AS integer', TG_TABLE_SCHEMA, 'contribution_number_' || NEW."id");
  RETURN NULL;
END $$;

CREATE FUNCTION "contribution_number_sequence_drop"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DROP SEQUENCE IF EXISTS %I.%I', TG_TABLE_SCHEMA, 'contribution_number_' || OLD."id");
  RETURN NULL;
END $$;

CREATE TRIGGER "community_contribution_numbers_create" AFTER INSERT ON "community"
  FOR EACH ROW EXECUTE FUNCTION "contribution_number_sequence_create"();
CREATE TRIGGER "community_contribution_numbers_drop" AFTER DELETE ON "community"
  FOR EACH ROW EXECUTE FUNCTION "contribution_number_sequence_drop"();

-- Every existing community's sequence goes on from its next number (past its highest, whatever the counter said).
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN
    SELECT cm."id", greatest(COALESCE(cc."nextNumber", 1),
                             COALESCE((SELECT max(n."number") + 1 FROM "contribution" n WHERE n."communityId" = cm."id"), 1)) AS next
    FROM "community" cm LEFT JOIN "contribution_counter" cc ON cc."communityId" = cm."id"
  LOOP
    EXECUTE format('CREATE SEQUENCE %I AS integer START %s', 'contribution_number_' || c."id", c.next);
  END LOOP;
END $$;

-- DropTable
DROP TABLE "contribution_counter";
