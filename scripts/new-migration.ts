// `npm run migration:new -- <name>`: writes the SQL that brings
// prisma/migrations up to prisma/schema.prisma into a new migration folder.
// Needs a PostgreSQL server for a throw-away shadow database: DATABASE_URL, or
// the local server at 127.0.0.1:5432.
import { access, mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { diffMigrationsToSchema, isEmptyMigration, MIGRATION_LOCK_TOML } from "../src/db/schemaEngine.ts";

const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
const migrationsDir = path.resolve("prisma/migrations");

function slug(name: string): string {
  return name
    .toLowerCase()
    .replaceAll(/[^a-z0-9]+/g, "_")
    .replaceAll(/^_+|_+$/g, "")
    .slice(0, 200);
}

function timestamp(date: Date): string {
  return date.toISOString().replaceAll(/\D/g, "").slice(0, 14);
}

/** A UTC timestamp later than every existing folder's, so folders keep their order. */
async function nextTimestamp(): Promise<string> {
  const existing = (await readdir(migrationsDir).catch(() => [])).map((name) => name.slice(0, 14)).sort();
  const latest = existing.at(-1);
  let candidate = new Date();
  while (latest !== undefined && /^\d{14}$/.test(latest) && timestamp(candidate) <= latest) {
    candidate = new Date(candidate.getTime() + 1000);
  }
  return timestamp(candidate);
}

async function main(args: string[]): Promise<number> {
  const name = slug(args.join(" "));
  if (name === "") {
    process.stderr.write("usage: npm run migration:new -- <name>\n");
    return 2;
  }
  const databaseUrl = process.env["DATABASE_URL"] || DEFAULT_DATABASE_URL;
  const sql = await diffMigrationsToSchema(databaseUrl, { migrationsDir });
  if (isEmptyMigration(sql)) {
    process.stdout.write("no changes: prisma/migrations already matches prisma/schema.prisma\n");
    return 0;
  }
  await mkdir(migrationsDir, { recursive: true });
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  if (
    !(await access(lockPath).then(
      () => true,
      () => false,
    ))
  ) {
    await writeFile(lockPath, MIGRATION_LOCK_TOML);
  }
  const folder = path.join(migrationsDir, `${await nextTimestamp()}_${name}`);
  await mkdir(folder);
  await writeFile(path.join(folder, "migration.sql"), sql);
  process.stdout.write(`wrote ${path.relative(process.cwd(), path.join(folder, "migration.sql"))}\n`);
  // Replaying the folder proves the new script applies and leaves nothing out.
  const rest = await diffMigrationsToSchema(databaseUrl, { migrationsDir });
  if (!isEmptyMigration(rest)) {
    process.stderr.write("warning: the migrations still differ from schema.prisma after the new one\n");
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`migration:new failed: ${message.split("\n")[0] ?? message}\n`);
    process.exitCode = 1;
  },
);
