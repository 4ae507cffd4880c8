-- CreateTable
CREATE TABLE "processed_delivery" (
    "platform" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_delivery_pkey" PRIMARY KEY ("platform","deliveryId")
);

-- CreateIndex
CREATE INDEX "processed_delivery_seenAt_idx" ON "processed_delivery"("seenAt");
