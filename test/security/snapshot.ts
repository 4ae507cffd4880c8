// Everything a refused action must leave as it was: every table of the
// ledger's database, its rows and their contents, read through
// information_schema so a new table is covered without naming it here.
import type { Db } from "../../src/db/client.ts";

/**
 * Bookkeeping every request writes, whatever it asks for, left out of the
 * comparison: which platform updates were already received (a refused
 * command's update is received too), and when a token was last used.
 */
const BOOKKEEPING: Readonly<Record<string, readonly string[] | "all">> = {
  processed_delivery: "all",
  api_token: ["lastUsedAt"],
};

/** Per table of the public schema: its row count and a digest of all its rows. */
export async function databaseState(db: Db): Promise<Record<string, string>> {
  const columns = await db.$queryRaw<Array<{ table: string; column: string }>>`
    SELECT c.table_name AS "table", c.column_name AS "column"
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name <> '_prisma_migrations'
    ORDER BY c.table_name, c.ordinal_position`;
  const byTable = new Map<string, string[]>();
  for (const { table, column } of columns) {
    const left = BOOKKEEPING[table];
    if (left === "all" || left?.includes(column) === true) continue;
    byTable.set(table, [...(byTable.get(table) ?? []), column]);
  }
  const state: Record<string, string> = {};
  for (const [table, kept] of byTable) {
    const row = `ROW(${kept.map(quoted).join(", ")})::text`;
    const [answer] = await db.$queryRawUnsafe<Array<{ count: bigint; digest: string | null }>>(
      `SELECT count(*) AS count, md5(string_agg(${row}, '|' ORDER BY ${row})) AS digest FROM ${quoted(table)}`,
    );
    state[table] = `${String(answer?.count ?? 0)} ${answer?.digest ?? "-"}`;
  }
  return state;
}

function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
