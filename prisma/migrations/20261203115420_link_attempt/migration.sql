-- CreateTable
CREATE TABLE "link_attempt" (
    "id" SERIAL NOT NULL,
    "memberId" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "link_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "link_attempt_memberId_at_idx" ON "link_attempt"("memberId", "at");
