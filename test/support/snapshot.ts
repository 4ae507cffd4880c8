// What a database holds, as one comparable value: each table's row count and an
// md5 of its rows' text. Taken before and after an input that was refused, it
// shows that the refusal changed nothing.
import pg from "pg";
import { afterAll, beforeAll } from "vitest";

/** Table name → `count:md5` of its rows in a stable order. */
export type DatabaseSnapshot = Readonly<Record<string, string>>;

export interface Snapshotter {
  take(): Promise<DatabaseSnapshot>;
  close(): Promise<void>;
}

const TABLES = `SELECT table_name FROM information_schema.tables
  WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
  ORDER BY table_name`;

const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** One query over every table, so a snapshot costs one round trip. */
function snapshotQuery(tables: readonly string[]): string {
  return tables
    .map(
      (table) =>
        `SELECT '${table.replaceAll("'", "''")}' AS name, count(*)::text || ':' || ` +
        `coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') AS digest FROM ${quoted(table)} t`,
    )
    .join(" UNION ALL ");
}

/** A snapshotter on the database at `url`, with its own connection (close it after). */
export async function snapshotter(url: string): Promise<Snapshotter> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const tables = (await client.query<{ table_name: string }>(TABLES)).rows.map((row) => row.table_name);
  const query = snapshotQuery(tables);
  return {
    async take() {
      const rows = (await client.query<{ name: string; digest: string }>(query)).rows;
      return Object.fromEntries(rows.map((row) => [row.name, row.digest]));
    },
    close: () => client.end(),
  };
}

/** The tables whose count or contents differ between two snapshots. */
export function changedTables(before: DatabaseSnapshot, after: DatabaseSnapshot): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => before[name] !== after[name]).sort();
}

/** A snapshotter on a test file's database, opened before its tests and closed after. */
export function useSnapshots(database: { readonly url: string }): Pick<Snapshotter, "take"> {
  let opened: Snapshotter | undefined;
  beforeAll(async () => {
    opened = await snapshotter(database.url);
  });
  afterAll(async () => {
    await opened?.close();
  });
  return {
    take: () => {
      if (opened === undefined) throw new Error("snapshots can be taken only inside tests and hooks");
      return opened.take();
    },
  };
}

/** How many rows `table` had in a snapshot. */
export const rowCount = (snapshot: DatabaseSnapshot, table: string): number =>
  Number((snapshot[table] ?? "0:").split(":")[0]);

/**
 * What the database holds of one platform account: how many identities it has,
 * and a digest of every member and identity that is not its own. An input whose
 * only writes are the sender's first member and identity leaves `others` as it was.
 */
export interface AccountSighting {
  readonly identities: number;
  readonly others: string;
}

export async function sightAccount(
  db: { $queryRawUnsafe<T>(query: string, ...values: unknown[]): Promise<T> },
  platform: "TELEGRAM" | "DISCORD",
  account: string,
): Promise<AccountSighting> {
  const [row] = await db.$queryRawUnsafe<AccountSighting[]>(
    `SELECT
      (SELECT count(*)::int FROM identity WHERE platform = $1::"Platform" AND "platformUserId" = $2) AS identities,
      (SELECT coalesce(md5(string_agg(i::text, ',' ORDER BY i::text)), '') FROM identity i
        WHERE NOT (i.platform = $1::"Platform" AND i."platformUserId" = $2))
      || (SELECT coalesce(md5(string_agg(m::text, ',' ORDER BY m::text)), '') FROM member m
        WHERE m.id NOT IN (SELECT "memberId" FROM identity WHERE platform = $1::"Platform" AND "platformUserId" = $2))
        AS others`,
    platform,
    account,
  );
  if (row === undefined) throw new Error("no sighting row");
  return row;
}
