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
    const rename = statement<[id: number, name: string], { name: string }>(
      "test_rename",
      `UPDATE community SET name = $2::text WHERE id = $1::int RETURNING name`,
    );
    const [community] = await database.db.$queryRaw<Array<{ id: number }>>`
      INSERT INTO community (name) VALUES ('Unflushed') RETURNING id`;
    const id = community?.id ?? 0;

    const renamed = [
      await database.store.unflushed(rename, [id, "Unflushed once"]),
      await database.store.unflushed(rename, [id, "Unflushed twice"]),
    ];
    const seen = await database.store.transaction(async (tx) => ({
      commit: false,
      value: Promise.all([
        tx.rows(settings, []),
        database.db.$queryRaw<Array<{ name: string }>>`SELECT name FROM community WHERE id = ${id}`,
      ]),
    }));

    expect(renamed).toEqual([[{ name: "Unflushed once" }], [{ name: "Unflushed twice" }]]);
    expect(seen).toEqual([[{ commits: "on", plans: "force_generic_plan" }], [{ name: "Unflushed twice" }]]);
    expect(await database.store.unflushed(settings, [])).toEqual([
      { commits: "off", plans: "force_generic_plan" },
    ]);
  });
});

describe("contribution numbers", () => {
  it("counts from 1 in every community, however the community was made, each on its own", async () => {
    const made = await database.db.$queryRaw<Array<{ id: number }>>`
      INSERT INTO community (name) VALUES ('Numbers one'), ('Numbers two') RETURNING id`;
    const [first, second] = made.map((row) => row.id);
    if (first === undefined || second === undefined) throw new Error("no communities");
    const take = async (id: number): Promise<number | undefined> =>
      (await database.store.read(paths.takeContributionNumber, [id]))[0]?.number;

    expect([await take(first), await take(first), await take(second), await take(first)]).toEqual([
      1, 2, 1, 3,
    ]);
  });

  it("drops a community's sequence with the community", async () => {
    const [made] = await database.db.$queryRaw<Array<{ id: number }>>`
      INSERT INTO community (name) VALUES ('Numbers gone') RETURNING id`;
    const id = made?.id ?? 0;
    const sequences = async (): Promise<number> =>
      (
        await database.db.$queryRaw<Array<{ n: number }>>`
          SELECT count(*)::int AS n FROM pg_class WHERE relname = ${`contribution_number_${id}`}`
      )[0]?.n ?? 0;
    const before = await sequences();
    await database.db.$executeRaw`DELETE FROM community WHERE id = ${id}`;

    expect([before, await sequences()]).toEqual([1, 0]);
  });
});
