import { describe, expect, it } from "vitest";
import { claimDelivery, DELIVERY_MEMORY_MS } from "../../src/app/deliveries.ts";
import type { Deps } from "../../src/app/deps.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

function depsAt(time: number): Deps {
  return { db: database.db, store: database.store, clock: { now: () => new Date(time) } };
}

describe("claimDelivery", () => {
  it("a replayed delivery is claimed once, per platform", async () => {
    const deps = depsAt(Date.now());
    expect(await claimDelivery(deps, "telegram", "1:42")).toBe(true);
    expect(await claimDelivery(deps, "telegram", "1:42")).toBe(false);
    expect(await claimDelivery(deps, "discord", "1:42")).toBe(true);
  });

  it("forgets claims older than the memory, so the table does not grow without end", async () => {
    const start = Date.now();
    await claimDelivery(depsAt(start), "discord", "old");
    await claimDelivery(depsAt(start + DELIVERY_MEMORY_MS + 1), "discord", "new");
    const left = await database.db.processedDelivery.findMany({ where: { platform: "discord" } });
    expect(left.map((row) => row.deliveryId)).not.toContain("old");
    expect(left.map((row) => row.deliveryId)).toContain("new");
  });
});
