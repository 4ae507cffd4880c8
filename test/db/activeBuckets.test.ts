// The active board's rank histogram is kept by a trigger on balance. Whatever
// is done to balances (new members, accumulators moving up, down, across zero,
// merges emptying one, members deleted), it must equal a recount.
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { newCommunity } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";

vi.setConfig({ testTimeout: 120_000 });

const database = useTestDatabase();

type Step =
  | { readonly op: "add"; readonly acc: number }
  | { readonly op: "set"; readonly member: number; readonly acc: number }
  | { readonly op: "shift"; readonly member: number; readonly by: number }
  | { readonly op: "remove"; readonly member: number };

const accumulator = fc.oneof(
  fc.constant(0),
  fc.double({ min: -1e9, max: 1e9, noNaN: true }),
  fc.integer({ min: -100_000, max: 100_000 }),
  fc.constantFrom(1, -1, 2 ** 20, 2 ** 20 - 1e-9),
);

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant("add" as const), acc: accumulator }),
  fc.record({ op: fc.constant("set" as const), member: fc.nat(), acc: accumulator }),
  fc.record({ op: fc.constant("shift" as const), member: fc.nat(), by: accumulator }),
  fc.record({ op: fc.constant("remove" as const), member: fc.nat() }),
);

describe("the active-score bucket histogram", () => {
  it("always equals a recount of the community's balances", async () => {
    const db = database.db;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        const { communityId } = await newCommunity(database);
        const members: number[] = [];
        for (const s of steps) {
          if (s.op === "add") {
            const member = await db.member.create({ data: { communityId, displayName: "m" } });
            await db.balance.create({ data: { memberId: member.id, communityId, activeAcc: s.acc } });
            members.push(member.id);
            continue;
          }
          const memberId = members[s.member % Math.max(members.length, 1)];
          if (memberId === undefined) continue;
          if (s.op === "set") await db.balance.update({ where: { memberId }, data: { activeAcc: s.acc } });
          else if (s.op === "shift")
            await db.$executeRaw`UPDATE balance SET "activeAcc" = "activeAcc" + ${s.by} WHERE "memberId" = ${memberId}`;
          else {
            await db.member.delete({ where: { id: memberId } });
            members.splice(members.indexOf(memberId), 1);
          }
        }
        const kept = await db.$queryRaw<Array<{ bucket: number; members: number }>>`
          SELECT bucket, members FROM active_bucket
          WHERE "communityId" = ${communityId} AND members <> 0 ORDER BY bucket`;
        const recount = await db.$queryRaw<Array<{ bucket: number; members: number }>>`
          SELECT cairn_active_bucket("activeAcc") AS bucket, count(*)::int AS members FROM balance
          WHERE "communityId" = ${communityId} GROUP BY 1 ORDER BY 1`;
        expect(kept).toEqual(recount);
      }),
      { numRuns: 25 },
    );
  });

  it("orders buckets as it orders accumulators", async () => {
    const values = [-1e9, -1000.5, -1, -1e-9, 0, 1e-9, 0.5, 1, 1.5, 1000, 1000.01, 1e12];
    const rows = await database.db.$queryRaw<Array<{ bucket: number }>>`
      SELECT cairn_active_bucket(v) AS bucket FROM unnest(${values}::float8[]) WITH ORDINALITY AS u(v, i) ORDER BY i`;
    const buckets = rows.map((r) => r.bucket);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    expect(new Set(buckets).size).toBeGreaterThan(8);
  });
});
