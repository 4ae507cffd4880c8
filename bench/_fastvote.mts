// Scratch prototype (not part of the bench): castVote in 4 round trips instead of 11.
import pg from "pg";
import { openDb } from "../src/db/client.ts";
import { transact, systemClock, type Actor, type Deps } from "../src/app/deps.ts";
import { castVote } from "../src/app/votes.ts";
import { readCommunityConfig } from "../src/core/config.ts";
import { decideByVotes } from "../src/core/decision.ts";
import { voterEligibility } from "../src/core/eligibility.ts";
import { ok, refuse } from "../src/core/result.ts";
import { runPgbench } from "./pgbench.ts";
import os from "node:os";

const url = "postgresql://postgres@127.0.0.1:5432/cairn_bench";
interface Row { id: number; submitterId: number; status: string; closesAt: Date; config: unknown; banned: boolean; joinedAt: Date; roles: string[]; credited: number[]; prevChoice: string | null; prevImpact: number | null; approvals: number; rejections: number }

async function castVoteFast(deps: Deps, actor: Actor, input: { number: number; choice: "APPROVE" | "REJECT"; impact?: number }) {
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    const rows = await tx.$queryRaw<Row[]>`
      SELECT c.id, c."submitterId", c.status::text AS status, c."closesAt", cm.config, v.banned, v."joinedAt", v.roles,
             ARRAY(SELECT cr."memberId" FROM credit cr WHERE cr."contributionId" = c.id) AS credited,
             pv.choice::text AS "prevChoice", pv.impact AS "prevImpact",
             (SELECT count(*) FROM vote x WHERE x."contributionId" = c.id AND x.choice = 'APPROVE')::int AS approvals,
             (SELECT count(*) FROM vote x WHERE x."contributionId" = c.id AND x.choice = 'REJECT')::int AS rejections
      FROM contribution c JOIN community cm ON cm.id = c."communityId" JOIN member v ON v.id = ${actor.memberId}
      LEFT JOIN vote pv ON pv."contributionId" = c.id AND pv."voterId" = ${actor.memberId}
      WHERE c."communityId" = ${actor.communityId} AND c.number = ${input.number}
      FOR UPDATE OF c`;
    const r = rows[0];
    if (r === undefined) return refuse("UNKNOWN_CONTRIBUTION");
    if (r.status !== "PENDING" || r.closesAt.getTime() <= now.getTime()) return refuse("VOTE_CLOSED");
    const config = readCommunityConfig(r.config);
    const eligible = voterEligibility({ voter: { memberId: actor.memberId, banned: r.banned, joinedAt: r.joinedAt, roles: r.roles }, submitterId: r.submitterId, creditedMemberIds: r.credited, now, config });
    if (!eligible.ok) return eligible;
    const tally = { approvals: r.approvals, rejections: r.rejections };
    if (r.prevChoice === "APPROVE") tally.approvals -= 1; else if (r.prevChoice === "REJECT") tally.rejections -= 1;
    if (input.choice === "APPROVE") tally.approvals += 1; else tally.rejections += 1;
    if (decideByVotes(tally, config) !== null) throw new Error("prototype covers the undecided path only");
    const at = now.toISOString();
    await tx.$executeRaw`
      WITH up AS (
        INSERT INTO vote ("contributionId", "voterId", choice, impact, "createdAt", "updatedAt")
        VALUES (${r.id}, ${actor.memberId}, ${input.choice}::"VoteChoice", ${input.impact ?? null}::int, ${at}::timestamp, ${at}::timestamp)
        ON CONFLICT ("contributionId", "voterId") DO UPDATE SET choice = EXCLUDED.choice, impact = EXCLUDED.impact, "updatedAt" = EXCLUDED."updatedAt"
      )
      INSERT INTO outbox_message ("communityId", kind, topic, payload, "createdAt")
      VALUES (${actor.communityId}, 'TALLY', ${`card:${r.id}`}, ${JSON.stringify({ kind: "TALLY", contributionId: r.id })}::jsonb, ${at}::timestamp)`;
    return ok({ tally });
  });
}

async function castVotePg(pool: pg.Pool, actor: Actor, input: { number: number; choice: "APPROVE" | "REJECT"; impact?: number }) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const res = await client.query<Row>({ name: "lockvote", text: `
      SELECT c.id, c."submitterId", c.status::text AS status, c."closesAt", cm.config, v.banned, v."joinedAt", v.roles,
             ARRAY(SELECT cr."memberId" FROM credit cr WHERE cr."contributionId" = c.id) AS credited,
             pv.choice::text AS "prevChoice", pv.impact AS "prevImpact",
             (SELECT count(*) FROM vote x WHERE x."contributionId" = c.id AND x.choice = 'APPROVE')::int AS approvals,
             (SELECT count(*) FROM vote x WHERE x."contributionId" = c.id AND x.choice = 'REJECT')::int AS rejections
      FROM contribution c JOIN community cm ON cm.id = c."communityId" JOIN member v ON v.id = $1
      LEFT JOIN vote pv ON pv."contributionId" = c.id AND pv."voterId" = $1
      WHERE c."communityId" = $2 AND c.number = $3 FOR UPDATE OF c`, values: [actor.memberId, actor.communityId, input.number] });
    const r = res.rows[0]!;
    const config = readCommunityConfig(r.config);
    const eligible = voterEligibility({ voter: { memberId: actor.memberId, banned: r.banned, joinedAt: r.joinedAt, roles: r.roles }, submitterId: r.submitterId, creditedMemberIds: r.credited, now: new Date(), config });
    if (!eligible.ok) throw new Error("ineligible");
    const at = new Date().toISOString();
    await client.query({ name: "writevote", text: `
      WITH up AS (
        INSERT INTO vote ("contributionId", "voterId", choice, impact, "createdAt", "updatedAt")
        VALUES ($1, $2, $3::"VoteChoice", $4::int, $5::timestamp, $5::timestamp)
        ON CONFLICT ("contributionId", "voterId") DO UPDATE SET choice = EXCLUDED.choice, impact = EXCLUDED.impact, "updatedAt" = EXCLUDED."updatedAt"
      )
      INSERT INTO outbox_message ("communityId", kind, topic, payload, "createdAt") VALUES ($6, 'TALLY', $7, $8::jsonb, $5::timestamp)`,
      values: [r.id, actor.memberId, input.choice, input.impact ?? null, at, actor.communityId, `card:${r.id}`, JSON.stringify({ kind: "TALLY", contributionId: r.id })] });
    await client.query("COMMIT");
  } catch (e) { await client.query("ROLLBACK"); throw e; } finally { client.release(); }
}

const admin = new pg.Client({ connectionString: url }); await admin.connect();
const comm = (await admin.query(`SELECT id FROM community WHERE name = 'Bench writes'`)).rows[0].id as number;
const voterIds = (await admin.query(`SELECT id FROM member WHERE "communityId" = $1 AND "displayName" LIKE 'bench-voter-%' ORDER BY id`, [comm])).rows.map((r) => r.id as number);
const numbers = (await admin.query(`SELECT number FROM contribution WHERE "communityId" = $1 AND status = 'PENDING' AND title LIKE 'Bench pending%' ORDER BY number`, [comm])).rows.map((r) => r.number as number);
await admin.end();

async function drive(name: string, callers: number, seconds: number, step: (c: number, i: number) => Promise<unknown>) {
  const stride = Math.floor(numbers.length / callers); let n = 0; const stop = performance.now() + seconds * 1000; const c0 = process.cpuUsage(); const load = os.loadavg()[0]!.toFixed(2);
  await Promise.all(Array.from({ length: callers }, async (_, c) => { for (let i = 0; performance.now() < stop; i++) { await step(c, (c * stride + i) % numbers.length); n++; } }));
  const cpu = process.cpuUsage(c0);
  console.log(`${name} @${callers}: ${(n / seconds).toFixed(1)} tps, ${((cpu.user + cpu.system) / 1000 / n).toFixed(2)} ms Node CPU/tx, load ${load}`);
}
const secs = Number(process.argv[2] ?? 10);
for (const callers of [8, 32]) {
  console.log(`pgbench @${callers}: ${await runPgbench(callers, secs)} tps`);
  const actors = voterIds.slice(0, callers).map((memberId) => ({ communityId: comm, memberId, isModerator: false, spaceId: null }));
  for (const variant of ["current", "fast", "pg"] as const) {
    const db = openDb(url, { poolSize: callers }); const deps = { db, clock: systemClock };
    const pool = new pg.Pool({ connectionString: url, max: callers });
    const step = async (c: number, k: number) => {
      const input = { number: numbers[k]!, choice: "APPROVE" as const, impact: 3 };
      if (variant === "current") { const r = await castVote(deps, actors[c]!, input); if (!r.ok) throw new Error(r.error.code); }
      else if (variant === "fast") { const r = await castVoteFast(deps, actors[c]!, input); if (!r.ok) throw new Error(r.error.code); }
      else await castVotePg(pool, actors[c]!, input);
    };
    await drive(variant, callers, 1, step); // warm-up
    await drive(variant, callers, secs, step);
    await db.$disconnect(); await pool.end();
  }
}
