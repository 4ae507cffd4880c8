import path from "node:path";
import { openConnections, type Db } from "./db/client.ts";
import type { SqlStore } from "./db/sql.ts";
import { startEmbeddedPostgres } from "./db/embedded.ts";
import { migrate } from "./db/migrate.ts";

export interface DatabaseSettings {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly embeddedPort: number;
}

export interface OpenDatabase {
  readonly db: Db;
  readonly store: SqlStore;
  readonly databaseUrl: string;
  /** "embedded PostgreSQL in .cairn/pgdata on port 5433" or "PostgreSQL from DATABASE_URL". */
  readonly description: string;
  /** Resolves with one line when the embedded server dies under the process; never for DATABASE_URL. */
  readonly lost: Promise<string>;
  close(): Promise<void>;
}

/**
 * Connects to the configured PostgreSQL, or starts the embedded one under the
 * data folder when none is configured, and brings the schema up to date.
 */
export async function openDatabase(
  settings: DatabaseSettings,
  log: (line: string) => void,
): Promise<OpenDatabase> {
  let stopEmbedded: (() => Promise<void>) | null = null;
  let lost: Promise<string> = new Promise<string>(() => {});
  let databaseUrl = settings.databaseUrl;
  let description = "PostgreSQL from DATABASE_URL";
  if (databaseUrl === undefined) {
    const dataDir = path.resolve(settings.dataDir, "pgdata");
    const embedded = await startEmbeddedPostgres({ dataDir, port: settings.embeddedPort, log });
    databaseUrl = embedded.databaseUrl;
    stopEmbedded = () => embedded.stop();
    lost = embedded.lost;
    description = `embedded PostgreSQL in ${path.relative(process.cwd(), dataDir) || dataDir} on port ${settings.embeddedPort}`;
  }
  try {
    await migrate(databaseUrl, { log });
  } catch (error) {
    await stopEmbedded?.();
    throw error;
  }
  const connections = openConnections(databaseUrl);
  return {
    db: connections.db,
    store: connections.store,
    databaseUrl,
    description,
    lost,
    close: async () => {
      // Every connection hangs up before the embedded server stops, or it terminates them (57P01).
      await connections.close();
      await stopEmbedded?.();
    },
  };
}
