-- AlterTable
ALTER TABLE "outbox_message" ADD COLUMN     "postingKey" TEXT,
ADD COLUMN     "postingStarts" INTEGER NOT NULL DEFAULT 0;
