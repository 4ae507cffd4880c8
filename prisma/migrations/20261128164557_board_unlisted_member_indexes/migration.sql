-- CreateIndex
CREATE INDEX "member_communityId_hidden_idx" ON "member"("communityId", "hidden");

-- CreateIndex
CREATE INDEX "member_communityId_banned_idx" ON "member"("communityId", "banned");

-- CreateIndex
CREATE INDEX "member_mergedIntoId_idx" ON "member"("mergedIntoId");
