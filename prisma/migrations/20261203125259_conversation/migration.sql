-- CreateTable
CREATE TABLE "conversation" (
    "platform" "Platform" NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "state" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "conversation_pkey" PRIMARY KEY ("platform","kind","key")
);

-- CreateIndex
CREATE INDEX "conversation_expiresAt_idx" ON "conversation"("expiresAt");
