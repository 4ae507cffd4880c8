import pg from "pg";
import { readFile } from "node:fs/promises";
import { migrate } from "../src/db/migrate.ts";
import { openSchemaEngine, loadMigrationList } from "../src/db/schemaEngine.ts";
const admin = new pg.Client("postgresql://postgres@127.0.0.1:5432/postgres"); await admin.connect();
for (const d of ["cmp_a", "cmp_b"]) { await admin.query(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`); await admin.query(`CREATE DATABASE ${d}`); }
const A = "postgresql://postgres@127.0.0.1:5432/cmp_a", B = "postgresql://postgres@127.0.0.1:5432/cmp_b";
const schema = { path: "prisma/schema.prisma", content: await readFile("prisma/schema.prisma", "utf8") };
const list = await loadMigrationList("prisma/migrations");
let t = Date.now();
const ea = await openSchemaEngine(A, schema);
console.log(await ea.engine.applyMigrations({ migrationsList: list, filters: { externalTables: [], externalEnums: [] } }), Date.now() - t);
await ea.close();
t = Date.now();
console.log(await migrate(B, { log: console.log }), Date.now() - t);
const cols = `select column_name, data_type, character_maximum_length, is_nullable, column_default, ordinal_position from information_schema.columns where table_name='_prisma_migrations' order by ordinal_position`;
const cons = `select conname, contype, pg_get_constraintdef(oid) from pg_constraint where conrelid='_prisma_migrations'::regclass`;
const idx = `select indexdef from pg_indexes where tablename='_prisma_migrations'`;
for (const url of [A, B]) { const c = new pg.Client(url); await c.connect();
  console.log(url, JSON.stringify((await c.query(cols)).rows) , JSON.stringify((await c.query(cons)).rows), JSON.stringify((await c.query(idx)).rows));
  console.log((await c.query("select * from _prisma_migrations")).rows);
  await c.end(); }
const eb = await openSchemaEngine(B, schema);
console.log(await eb.engine.diagnoseMigrationHistory({ migrationsList: list, optInToShadowDatabase: false, filters: { externalTables: [], externalEnums: [] } }));
console.log(await eb.engine.applyMigrations({ migrationsList: list, filters: { externalTables: [], externalEnums: [] } }));
await eb.close();
await admin.end();
