-- A recorded payout run remembers who asked for it once (a background export's job id),
-- so the job's retry after a crash or a failed file write finds the run instead of recording a second.

-- AlterTable
ALTER TABLE "payout_run" ADD COLUMN     "requestKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "payout_run_communityId_requestKey_key" ON "payout_run"("communityId", "requestKey");
