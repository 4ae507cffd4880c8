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
        void tx.rows(paths.submittedSince, [call + 1, since]);
        void tx.rows(paths.earlierEvidence, [1, [`https://example.org/${call}`]]);
      }
      return {
        commit: false,
        value: tx.rows(plansOf, [[paths.earlierEvidence.name, paths.submittedSince.name]]),
      };
    });

    expect(plans).toEqual([
      { name: paths.earlierEvidence.name, generic: calls, custom: 0 },
      { name: paths.submittedSince.name, generic: calls, custom: 0 },
    ]);
  });
});
