-- AlterTable
ALTER TABLE "identity" ADD COLUMN     "username" TEXT;

-- CreateIndex
CREATE INDEX "identity_platform_username_idx" ON "identity"("platform", "username");
