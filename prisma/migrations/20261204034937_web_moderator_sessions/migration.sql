-- CreateTable
CREATE TABLE "web_sign_in" (
    "id" SERIAL NOT NULL,
    "codeHash" TEXT NOT NULL,
    "communityId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "grant" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "web_sign_in_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "web_session" (
    "id" SERIAL NOT NULL,
    "secretHash" TEXT NOT NULL,
    "communityId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "grant" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "web_session_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "web_sign_in_codeHash_key" ON "web_sign_in"("codeHash");

-- CreateIndex
CREATE INDEX "web_sign_in_communityId_idx" ON "web_sign_in"("communityId");

-- CreateIndex
CREATE UNIQUE INDEX "web_session_secretHash_key" ON "web_session"("secretHash");

-- CreateIndex
CREATE INDEX "web_session_communityId_idx" ON "web_session"("communityId");

-- AddForeignKey
ALTER TABLE "web_sign_in" ADD CONSTRAINT "web_sign_in_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "web_session" ADD CONSTRAINT "web_session_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "community"("id") ON DELETE CASCADE ON UPDATE CASCADE;
