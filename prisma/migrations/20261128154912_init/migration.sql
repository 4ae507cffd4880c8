-- CreateEnum
CREATE TYPE "Platform" AS ENUM ('DISCORD', 'TELEGRAM', 'CONSOLE');

-- CreateEnum
CREATE TYPE "ContributionStatus" AS ENUM ('PENDING', 'VERIFIED', 'REJECTED', 'EXPIRED', 'WITHDRAWN', 'VOIDED');

-- CreateEnum
CREATE TYPE "DecidedBy" AS ENUM ('VOTES', 'DEADLINE', 'MODERATOR');

-- CreateEnum
CREATE TYPE "VoteChoice" AS ENUM ('APPROVE', 'REJECT');

-- CreateEnum
CREATE TYPE "LedgerKind" AS ENUM ('AWARD', 'VERIFIER_REWARD', 'CLAWBACK', 'ADJUSTMENT', 'MERGE');

-- CreateEnum
CREATE TYPE "AppealStatus" AS ENUM ('OPEN', 'ACCEPTED', 'DENIED');

-- CreateEnum
CREATE TYPE "LinkCodeKind" AS ENUM ('IDENTITY', 'SPACE');

-- CreateTable
CREATE TABLE "community" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "nextNumber" INTEGER NOT NULL DEFAULT 1,
    "activeEpoch" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "community_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "space" (
    "id" SERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "platform" "Platform" NOT NULL,
    "platformChatId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "space_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "member" (
    "id" SERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "displayName" TEXT NOT NULL,
    "roles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "isModerator" BOOLEAN NOT NULL DEFAULT false,
    "hidden" BOOLEAN NOT NULL DEFAULT false,
    "banned" BOOLEAN NOT NULL DEFAULT false,
    "joinedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "mergedIntoId" INTEGER,
    "erasedAt" TIMESTAMP(3),

    CONSTRAINT "member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "identity" (
    "id" SERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "platform" "Platform" NOT NULL,
    "platformUserId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "identity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "category" (
    "id" SERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "slug" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "weight" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "category_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contribution" (
    "id" SERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "submitterId" INTEGER NOT NULL,
    "categoryId" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "links" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "status" "ContributionStatus" NOT NULL DEFAULT 'PENDING',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closesAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),
    "decidedBy" "DecidedBy",
    "award" INTEGER,
    "cardRefs" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "contribution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "credit" (
    "contributionId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "shareBp" INTEGER NOT NULL,

    CONSTRAINT "credit_pkey" PRIMARY KEY ("contributionId","memberId")
);

-- CreateTable
CREATE TABLE "evidence_link" (
    "id" SERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "contributionId" INTEGER NOT NULL,
    "normalizedUrl" TEXT NOT NULL,

    CONSTRAINT "evidence_link_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "vote" (
    "contributionId" INTEGER NOT NULL,
    "voterId" INTEGER NOT NULL,
    "choice" "VoteChoice" NOT NULL,
    "impact" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vote_pkey" PRIMARY KEY ("contributionId","voterId")
);

-- CreateTable
CREATE TABLE "question" (
    "id" SERIAL NOT NULL,
    "contributionId" INTEGER NOT NULL,
    "askerId" INTEGER NOT NULL,
    "question" TEXT NOT NULL,
    "answer" TEXT,
    "askedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "answeredAt" TIMESTAMP(3),

    CONSTRAINT "question_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "status_change" (
    "id" SERIAL NOT NULL,
    "contributionId" INTEGER NOT NULL,
    "fromStatus" "ContributionStatus",
    "toStatus" "ContributionStatus" NOT NULL,
    "actorId" INTEGER,
    "reason" TEXT NOT NULL DEFAULT '',
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "status_change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "appeal" (
    "id" SERIAL NOT NULL,
    "contributionId" INTEGER NOT NULL,
    "appellantId" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "status" "AppealStatus" NOT NULL DEFAULT 'OPEN',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMP(3),
    "resolverId" INTEGER,

    CONSTRAINT "appeal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_head" (
    "communityId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL DEFAULT 0,
    "hash" TEXT NOT NULL,

    CONSTRAINT "ledger_head_pkey" PRIMARY KEY ("communityId")
);

-- CreateTable
CREATE TABLE "ledger_entry" (
    "id" BIGSERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" "LedgerKind" NOT NULL,
    "memberId" INTEGER NOT NULL,
    "points" INTEGER NOT NULL,
    "contributionId" INTEGER,
    "actorId" INTEGER,
    "reason" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "ledger_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "balance" (
    "memberId" INTEGER NOT NULL,
    "communityId" INTEGER NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,
    "verified" INTEGER NOT NULL DEFAULT 0,
    "activeAcc" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "balance_pkey" PRIMARY KEY ("memberId")
);

-- CreateTable
CREATE TABLE "period_balance" (
    "memberId" INTEGER NOT NULL,
    "communityId" INTEGER NOT NULL,
    "period" TEXT NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "verified" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "period_balance_pkey" PRIMARY KEY ("memberId","period")
);

-- CreateTable
CREATE TABLE "season" (
    "id" SERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "season_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" SERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "actorId" INTEGER,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL DEFAULT '',
    "reason" TEXT NOT NULL DEFAULT '',
    "details" JSONB NOT NULL DEFAULT '{}',
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "link_code" (
    "code" TEXT NOT NULL,
    "communityId" INTEGER NOT NULL,
    "kind" "LinkCodeKind" NOT NULL,
    "memberId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "link_code_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "ban" (
    "id" SERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "actorId" INTEGER,
    "reason" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "liftedAt" TIMESTAMP(3),

    CONSTRAINT "ban_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_message" (
    "id" BIGSERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "topic" TEXT NOT NULL DEFAULT '',
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "outbox_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payout_run" (
    "id" SERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "windowEnd" TIMESTAMP(3) NOT NULL,
    "budget" INTEGER NOT NULL,
    "capPerMember" INTEGER,
    "ledgerHeadSeq" INTEGER NOT NULL,
    "ledgerHeadHash" TEXT NOT NULL,
    "actorId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payout_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payout_line" (
    "runId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "points" INTEGER NOT NULL,
    "amount" INTEGER NOT NULL,

    CONSTRAINT "payout_line_pkey" PRIMARY KEY ("runId","memberId")
);

-- CreateIndex
CREATE INDEX "space_communityId_idx" ON "space"("communityId");

-- CreateIndex
CREATE UNIQUE INDEX "space_platform_platformChatId_key" ON "space"("platform", "platformChatId");

-- CreateIndex
CREATE INDEX "member_communityId_idx" ON "member"("communityId");

-- CreateIndex
CREATE INDEX "identity_memberId_idx" ON "identity"("memberId");

-- CreateIndex
CREATE UNIQUE INDEX "identity_communityId_platform_platformUserId_key" ON "identity"("communityId", "platform", "platformUserId");

-- CreateIndex
CREATE UNIQUE INDEX "category_communityId_slug_key" ON "category"("communityId", "slug");

-- CreateIndex
CREATE INDEX "contribution_communityId_status_createdAt_idx" ON "contribution"("communityId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "contribution_status_closesAt_idx" ON "contribution"("status", "closesAt");

-- CreateIndex
CREATE INDEX "contribution_submitterId_createdAt_idx" ON "contribution"("submitterId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "contribution_communityId_number_key" ON "contribution"("communityId", "number");

-- CreateIndex
CREATE INDEX "credit_memberId_idx" ON "credit"("memberId");

-- CreateIndex
CREATE INDEX "evidence_link_communityId_normalizedUrl_idx" ON "evidence_link"("communityId", "normalizedUrl");

-- CreateIndex
CREATE INDEX "evidence_link_contributionId_idx" ON "evidence_link"("contributionId");

-- CreateIndex
CREATE INDEX "vote_voterId_idx" ON "vote"("voterId");

-- CreateIndex
CREATE INDEX "question_contributionId_idx" ON "question"("contributionId");

-- CreateIndex
CREATE INDEX "status_change_contributionId_idx" ON "status_change"("contributionId");

-- CreateIndex
CREATE UNIQUE INDEX "appeal_contributionId_key" ON "appeal"("contributionId");

-- CreateIndex
CREATE INDEX "appeal_status_idx" ON "appeal"("status");

-- CreateIndex
CREATE INDEX "ledger_entry_memberId_idx" ON "ledger_entry"("memberId");

-- CreateIndex
CREATE INDEX "ledger_entry_contributionId_idx" ON "ledger_entry"("contributionId");

-- CreateIndex
CREATE INDEX "ledger_entry_communityId_createdAt_idx" ON "ledger_entry"("communityId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_entry_communityId_seq_key" ON "ledger_entry"("communityId", "seq");

-- CreateIndex
CREATE INDEX "balance_communityId_total_idx" ON "balance"("communityId", "total" DESC);

-- CreateIndex
CREATE INDEX "balance_communityId_activeAcc_idx" ON "balance"("communityId", "activeAcc" DESC);

-- CreateIndex
CREATE INDEX "period_balance_communityId_period_points_idx" ON "period_balance"("communityId", "period", "points" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "season_communityId_name_key" ON "season"("communityId", "name");

-- CreateIndex
CREATE INDEX "audit_log_communityId_at_idx" ON "audit_log"("communityId", "at");

-- CreateIndex
CREATE INDEX "link_code_communityId_idx" ON "link_code"("communityId");

-- CreateIndex
CREATE INDEX "ban_memberId_idx" ON "ban"("memberId");

-- CreateIndex
CREATE INDEX "outbox_message_deliveredAt_id_idx" ON "outbox_message"("deliveredAt", "id");

-- CreateIndex
CREATE INDEX "outbox_message_communityId_id_idx" ON "outbox_message"("communityId", "id");

-- CreateIndex
CREATE INDEX "payout_run_communityId_createdAt_idx" ON "payout_run"("communityId", "createdAt");

-- AddForeignKey
ALTER TABLE "space" ADD CONSTRAINT "space_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "member" ADD CONSTRAINT "member_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "member" ADD CONSTRAINT "member_mergedIntoId_fkey" FOREIGN KEY ("mergedIntoId") REFERENCES "member"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "identity" ADD CONSTRAINT "identity_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "category" ADD CONSTRAINT "category_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contribution" ADD CONSTRAINT "contribution_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contribution" ADD CONSTRAINT "contribution_submitterId_fkey" FOREIGN KEY ("submitterId") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contribution" ADD CONSTRAINT "contribution_categoryId_fkey" FOREIGN KEY ("categoryId") REFERENCES "category"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "credit" ADD CONSTRAINT "credit_contributionId_fkey" FOREIGN KEY ("contributionId") REFERENCES "contribution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "credit" ADD CONSTRAINT "credit_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evidence_link" ADD CONSTRAINT "evidence_link_contributionId_fkey" FOREIGN KEY ("contributionId") REFERENCES "contribution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vote" ADD CONSTRAINT "vote_contributionId_fkey" FOREIGN KEY ("contributionId") REFERENCES "contribution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vote" ADD CONSTRAINT "vote_voterId_fkey" FOREIGN KEY ("voterId") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "question" ADD CONSTRAINT "question_contributionId_fkey" FOREIGN KEY ("contributionId") REFERENCES "contribution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "status_change" ADD CONSTRAINT "status_change_contributionId_fkey" FOREIGN KEY ("contributionId") REFERENCES "contribution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appeal" ADD CONSTRAINT "appeal_contributionId_fkey" FOREIGN KEY ("contributionId") REFERENCES "contribution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_head" ADD CONSTRAINT "ledger_head_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_contributionId_fkey" FOREIGN KEY ("contributionId") REFERENCES "contribution"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "balance" ADD CONSTRAINT "balance_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "period_balance" ADD CONSTRAINT "period_balance_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "season" ADD CONSTRAINT "season_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "link_code" ADD CONSTRAINT "link_code_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ban" ADD CONSTRAINT "ban_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbox_message" ADD CONSTRAINT "outbox_message_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payout_run" ADD CONSTRAINT "payout_run_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payout_line" ADD CONSTRAINT "payout_line_runId_fkey" FOREIGN KEY ("runId") REFERENCES "payout_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
