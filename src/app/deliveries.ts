// Deliveries already taken: a Telegram update or a Discord interaction is
// claimed in the database before it runs, so a replay after a restart (the
// polling offset not yet confirmed, a webhook retry) has no second effect.
import type { Deps } from "./deps.ts";

export type DeliveryPlatform = "telegram" | "discord";

/** How long a claim is kept: far beyond Telegram's retries (it keeps updates 24 hours). */
export const DELIVERY_MEMORY_MS = 48 * 3_600_000;

/**
 * True the first time a delivery is offered, false for a replay. Claims older
 * than DELIVERY_MEMORY_MS are purged on the way.
 */
export async function claimDelivery(
  deps: Deps,
  platform: DeliveryPlatform,
  deliveryId: string,
): Promise<boolean> {
  const now = deps.clock.now();
  await deps.db.processedDelivery.deleteMany({
    where: { seenAt: { lt: new Date(now.getTime() - DELIVERY_MEMORY_MS) } },
  });
  const claimed = await deps.db.processedDelivery.createMany({
    data: [{ platform, deliveryId, seenAt: now }],
    skipDuplicates: true,
  });
  return claimed.count === 1;
}
