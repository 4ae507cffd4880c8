import { describe, expect, it } from "vitest";
import * as paths from "../../src/db/paths/contributions.ts";
import { statement } from "../../src/db/sql.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

const plansOf = statement<[names: string[]], { name: string; generic: number; custom: number }>(
  "test_plans_of",
  `SELECT name, generic_plans::int AS generic, custom_plans::int AS custom
   FROM pg_prepared_statements WHERE name = ANY($1::text[]) ORDER BY name`,
);

describe("the typed store", () => {
  it("plans a statement with a range or an array parameter once, not on every call", async () => {
    const since = new Date(Date.now() - 86_400_000).toISOString();
    const calls = 8;
    const plans = await database.store.transaction(async (tx) => {
      for (let call = 0; call < calls; call++) {
        void tx.rows(paths.submittedSinceLockingLinks, [call + 1, since, 1, []]);
        void tx.rows(paths.earlierEvidence, [1, [`https://example.org/${call}`]]);
      }
      return {
        commit: false,
        value: tx.rows(plansOf, [[paths.earlierEvidence.name, paths.submittedSinceLockingLinks.name]]),
      };
    });

    expect(plans).toEqual([
      { name: paths.earlierEvidence.name, generic: calls, custom: 0 },
      { name: paths.submittedSinceLockingLinks.name, generic: calls, custom: 0 },
    ]);
  });

  it("commits an unflushed statement on its own, without waiting for the disk, while the pool's transactions wait", async () => {
    const settings = statement<[], { commits: string; plans: string }>(
      "test_settings",
      `SELECT current_setting('synchronous_commit') AS commits, current_setting('plan_cache_mode') AS plans`,
    );
    const [community] = await database.db.$queryRaw<Array<{ id: number }>>`
      INSERT INTO community (name) VALUES ('Unflushed') RETURNING id`;
    const id = community?.id ?? 0;

    const taken = [
      await database.store.unflushed(paths.takeContributionNumber, [id]),
      await database.store.unflushed(paths.takeContributionNumber, [id]),
    ];
    const seen = await database.store.transaction(async (tx) => ({
      commit: false,
      value: Promise.all([
        tx.rows(settings, []),
        database.db.$queryRaw<Array<{ next: number }>>`
          SELECT "nextNumber" AS next FROM contribution_counter WHERE "communityId" = ${id}`,
      ]),
    }));

    expect(taken).toEqual([[{ number: 1 }], [{ number: 2 }]]);
    expect(seen).toEqual([[{ commits: "on", plans: "force_generic_plan" }], [{ next: 3 }]]);
    expect(await database.store.unflushed(settings, [])).toEqual([
      { commits: "off", plans: "force_generic_plan" },
    ]);
  });
});
