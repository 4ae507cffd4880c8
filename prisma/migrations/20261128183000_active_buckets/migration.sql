-- The active board's rank histogram. cairn_active_bucket maps an active
-- accumulator to a bucket, monotonically (32 buckets per doubling, signed), so
-- "how many members have an accumulator at or above T" is the members of the
-- buckets above T's bucket plus an index range inside T's own bucket.
-- The function, the trigger and the expression index are not in schema.prisma:
-- Prisma models none of them, and the drift check ignores them.
CREATE TABLE "active_bucket" (
    "communityId" INTEGER NOT NULL,
    "bucket" INTEGER NOT NULL,
    "members" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "active_bucket_pkey" PRIMARY KEY ("communityId","bucket")
);

CREATE FUNCTION cairn_active_bucket(acc float8) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT floor(sign(acc) * ln(1 + abs(acc)) / ln(2::float8) * 32)::integer $$;

CREATE FUNCTION cairn_active_bucket_count() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."communityId" = NEW."communityId"
     AND cairn_active_bucket(OLD."activeAcc") = cairn_active_bucket(NEW."activeAcc") THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE active_bucket SET members = members - 1
    WHERE "communityId" = OLD."communityId" AND bucket = cairn_active_bucket(OLD."activeAcc");
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO active_bucket ("communityId", bucket, members)
    VALUES (NEW."communityId", cairn_active_bucket(NEW."activeAcc"), 1)
    ON CONFLICT ("communityId", bucket) DO UPDATE SET members = active_bucket.members + 1;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER balance_active_bucket
AFTER INSERT OR UPDATE OF "activeAcc", "communityId" OR DELETE ON balance
FOR EACH ROW EXECUTE FUNCTION cairn_active_bucket_count();

CREATE INDEX "balance_active_bucket_idx" ON balance ("communityId", cairn_active_bucket("activeAcc"), "activeAcc");

INSERT INTO active_bucket ("communityId", bucket, members)
SELECT "communityId", cairn_active_bucket("activeAcc"), count(*)::integer FROM balance GROUP BY 1, 2;
