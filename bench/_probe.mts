import pg from "pg";
import { openDb } from "../src/db/client.ts";
import { hashEntry } from "../src/core/ledger.ts";
const url = "postgresql://postgres@127.0.0.1:5432/cairn_bench";
const db = openDb(url, { poolSize: 2 });
const comm = await db.community.findFirstOrThrow({ where: { name: "Bench ledger" } });
const id = comm.id;
async function t<T>(name: string, f: () => Promise<T>): Promise<T> { const s = performance.now(); const c0 = process.cpuUsage(); const v = await f(); const c = process.cpuUsage(c0); console.log(name, (performance.now() - s).toFixed(0), "ms wall", ((c.user + c.system) / 1000).toFixed(0), "ms cpu"); return v; }
const rows = await t("prisma $queryRaw 100k (5 pages)", async () => { const all: any[] = []; let after = 0; for (;;) { const r = await db.$queryRaw<any[]>`SELECT seq, kind::text AS kind, "memberId", points, "contributionId", "actorId", reason, "createdAt", "prevHash", hash FROM ledger_entry WHERE "communityId" = ${id} AND seq > ${after} ORDER BY seq LIMIT 20000`; if (r.length === 0) break; all.push(...r); after = r[r.length-1].seq; } return all; });
await t("hash 100k", async () => { for (const r of rows) hashEntry(r.prevHash, { communityId: id, ...r }); });
const pool = new pg.Pool({ connectionString: url, max: 2 });
await t("pg 100k (5 pages)", async () => { let after = 0; let n = 0; for (;;) { const r = await pool.query(`SELECT seq, kind::text AS kind, "memberId", points, "contributionId", "actorId", reason, "createdAt", "prevHash", hash FROM ledger_entry WHERE "communityId" = $1 AND seq > $2 ORDER BY seq LIMIT 20000`, [id, after]); if (r.rows.length === 0) break; n += r.rows.length; after = r.rows[r.rows.length-1].seq; } return n; });
await t("pg 100k rowMode array", async () => { let after = 0; let n = 0; for (;;) { const r = await pool.query({ text: `SELECT seq, kind::text AS kind, "memberId", points, "contributionId", "actorId", reason, "createdAt", "prevHash", hash FROM ledger_entry WHERE "communityId" = $1 AND seq > $2 ORDER BY seq LIMIT 20000`, values: [id, after], rowMode: "array" }); if (r.rows.length === 0) break; n += r.rows.length; after = r.rows[r.rows.length-1][0]; } return n; });
await t("recomputeBalances-like total query", async () => pool.query(`SELECT count(*) FROM ledger_entry WHERE "communityId"=$1`, [id]));
await pool.end(); await db.$disconnect();
