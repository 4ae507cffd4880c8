// A fresh, migrated database per test file, cloned in ~0.1 s from the template
// test/support/globalSetup.ts builds. Usage:
//
//   let database: TestDatabase;
//   beforeAll(async () => { database = await createTestDatabase(); });
//   afterAll(async () => { await database.drop(); });
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { openConnections, type Db } from "../../src/db/client.ts";
import type { SqlStore } from "../../src/db/sql.ts";
import { databaseUrl, ensureTemplate, withServer } from "./template.ts";

export interface TestDatabase {
  /** postgresql:// URL of this database, for code that opens its own connections. */
  readonly url: string;
  /** A Prisma client on it (closed by drop()). */
  readonly db: Db;
  /** The typed store of the hot write paths on it (closed by drop()). */
  readonly store: SqlStore;
  /** Closes `db` and `store` and drops the database, whoever is still connected. */
  drop(): Promise<void>;
}

let template: Promise<string> | undefined;

/** An empty database with every migration applied, named `cairn_test_<random>`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  // Normally built by globalSetup already; this makes the helper work without it too.
  template ??= ensureTemplate();
  const source = await template;
  const name = `cairn_test_${randomUUID().replaceAll("-", "")}`;
  await withServer((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${source}"`));
  const url = databaseUrl(name);
  const connections = openConnections(url);
  let dropped: Promise<void> | undefined;
  return {
    url,
    db: connections.db,
    store: connections.store,
    drop: () =>
      (dropped ??= (async () => {
        // Every connection of both pools hangs up before the database is dropped (no 57P01).
        await connections.close();
        await withServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      })()),
  };
}

/** An empty database with no tables at all, for tests of migrations themselves. */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cairn_test_${randomUUID().replaceAll("-", "")}`;
  await withServer((client) => client.query(`CREATE DATABASE "${name}"`));
  return {
    url: databaseUrl(name),
    drop: () =>
      withServer(
        async (client) => void (await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
      ),
  };
}

/**
 * A fresh database for the tests of one file: created before they run, dropped
 * after. Read `db` and `url` inside tests and hooks, not at import time.
 */
export function useTestDatabase(): TestDatabase {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  const current = (): TestDatabase => {
    if (database === undefined) throw new Error("the test database exists only inside tests and hooks");
    return database;
  };
  return {
    get url() {
      return current().url;
    },
    get db() {
      return current().db;
    },
    get store() {
      return current().store;
    },
    drop: () => current().drop(),
  };
}
