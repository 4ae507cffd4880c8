-- A community's next contribution number moves to a row of its own: every
-- contribution's foreign keys lock the community's row in share mode, so a number
-- taken on that row made concurrent submissions queue on multixact look-ups.

-- CreateTable
CREATE TABLE "contribution_counter" (
    "communityId" INTEGER NOT NULL,
    "nextNumber" INTEGER NOT NULL,

    CONSTRAINT "contribution_counter_pkey" PRIMARY KEY ("communityId")
);

-- AddForeignKey
ALTER TABLE "contribution_counter" ADD CONSTRAINT "contribution_counter_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Carry the numbers over (no row means the next number is 1)
INSERT INTO "contribution_counter" ("communityId", "nextNumber")
SELECT "id", "nextNumber" FROM "community" WHERE "nextNumber" > 1;

-- AlterTable
ALTER TABLE "community" DROP COLUMN "nextNumber";
