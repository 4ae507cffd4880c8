// Scratch stand-in for test/support/db.ts until the real one lands.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
const pg = createRequire("/work/main/package.json")("pg") as typeof import("/work/main/node_modules/@types/pg/index.d.ts");
import { openDb, type Db } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";

const ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres";
const TEMPLATE = "cairn_scratch_template";

async function admin<T>(work: (c: InstanceType<typeof pg.Client>) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try { return await work(c); } finally { await c.end(); }
}

let templateReady: Promise<void> | null = null;
async function ensureTemplate(): Promise<void> {
  templateReady ??= (async () => {
    const exists = await admin((c) => c.query("SELECT 1 FROM pg_database WHERE datname=$1", [TEMPLATE]));
    if (exists.rowCount === 0) {
      await admin((c) => c.query(`CREATE DATABASE ${TEMPLATE}`));
      await migrate(`postgresql://postgres@127.0.0.1:5432/${TEMPLATE}`, { migrationsDir: "/work/main/prisma/migrations" });
    }
  })();
  return templateReady;
}

export async function createTestDatabase(): Promise<{ url: string; db: Db; drop(): Promise<void> }> {
  await ensureTemplate();
  const name = `cairn_scratch_${randomUUID().replace(/-/g, "")}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`));
  const url = `postgresql://postgres@127.0.0.1:5432/${name}`;
  const db = openDb(url);
  return {
    url,
    db,
    async drop() {
      await db.$disconnect();
      await admin((c) => c.query(`DROP DATABASE ${name} WITH (FORCE)`));
    },
  };
}
