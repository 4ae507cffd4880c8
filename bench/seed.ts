// Seeds one large community fast: members, verified contributions, a valid
// hash-chained ledger computed in Node (core/ledger hashEntry), and balances and
// period buckets aggregated from the loaded ledger in SQL.
import pg from "pg";
import { ensureCommunityForChat } from "../src/app/actors.ts";
import { defaultCommunityConfig } from "../src/core/config.ts";
import { GENESIS_HASH, hashEntry, type LedgerEntryFacts } from "../src/core/ledger.ts";
import { periodKeys } from "../src/core/periods.ts";
import { openConnections } from "../src/db/client.ts";
import { NUMBER_SEQUENCE } from "../src/db/paths/contributions.ts";
import { systemClock } from "../src/app/deps.ts";
import { log, prng } from "./support.ts";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Ledger entries per decided contribution: the submitter's award and four verifier rewards. */
const ENTRIES_PER_CONTRIBUTION = 5;
const BATCH_ROWS = 10_000;
const IN_FLIGHT = 3;
const IMPACT_MULTIPLIERS = [50, 75, 100, 150, 200] as const;

export interface SeedOptions {
  readonly members: number;
  readonly entries: number;
  readonly days: number;
  readonly now: Date;
}

export interface SeededCommunity {
  readonly communityId: number;
  /** Member ids in insertion order. */
  readonly memberIds: Int32Array;
  readonly contributions: number;
  readonly entries: number;
  readonly balances: number;
  readonly periodBalances: number;
  readonly headHash: string;
  readonly seconds: number;
}

/** A timestamp(3) literal in UTC, as the adapter stores DateTime. */
const sqlTime = (d: Date): string => d.toISOString().slice(0, 23).replace("T", " ");

export async function seedLargeCommunity(url: string, options: SeedOptions): Promise<SeededCommunity> {
  const started = performance.now();
  const random = prng(20261128);
  const spanStart = new Date(options.now.getTime() - options.days * DAY_MS);
  const spanEnd = new Date(options.now.getTime() - 60_000);
  const config = defaultCommunityConfig();

  const connections = openConnections(url, { poolSize: 2 });
  const { db, store } = connections;
  let communityId: number;
  try {
    ({ communityId } = await ensureCommunityForChat(
      { db, store, clock: systemClock },
      { platform: "CONSOLE", chatId: "bench-ledger", title: "Bench ledger" },
      { name: "Bench ledger" },
    ));
  } finally {
    await connections.close();
  }

  const pool = new pg.Pool({ connectionString: url, max: IN_FLIGHT + 1 });
  try {
    await pool.query(`UPDATE community SET "activeEpoch" = $2::timestamp WHERE id = $1`, [
      communityId,
      sqlTime(spanStart),
    ]);

    // Members: joined before the window opens.
    const joined = sqlTime(new Date(spanStart.getTime() - 30 * DAY_MS));
    await pool.query(
      `INSERT INTO member ("communityId", "displayName", "joinedAt")
       SELECT $1, 'Member ' || n, $3::timestamp FROM generate_series(1, $2::int) AS n`,
      [communityId, options.members, joined],
    );
    const memberRows = await pool.query<{ id: number }>(
      `SELECT id FROM member WHERE "communityId" = $1 ORDER BY id`,
      [communityId],
    );
    const memberIds = Int32Array.from(memberRows.rows.map((r) => r.id));
    log(`  seed: ${memberIds.length} members`);

    // A few members do most of the work: index ~ M·u³ puts half the picks in the first 12.5 %.
    const someMember = (): number =>
      memberIds[Math.floor(options.members * random() ** 3)] ?? memberIds[0] ?? 0;

    const categories = await pool.query<{ id: number; weight: number }>(
      `SELECT id, weight FROM category WHERE "communityId" = $1 ORDER BY id`,
      [communityId],
    );
    const contributionCount = Math.ceil(options.entries / ENTRIES_PER_CONTRIBUTION);
    const span = spanEnd.getTime() - spanStart.getTime();

    // Contributions, decided in order across the window (so the ledger is chronological).
    const submitter = new Int32Array(contributionCount);
    const decidedAt = new Float64Array(contributionCount);
    const award = new Int32Array(contributionCount);
    const contributionIds = new Int32Array(contributionCount);
    {
      const pending: Array<Promise<unknown>> = [];
      for (let from = 0; from < contributionCount; from += BATCH_ROWS) {
        const to = Math.min(contributionCount, from + BATCH_ROWS);
        const cols = {
          number: [] as number[],
          submitter: [] as number[],
          category: [] as number[],
          title: [] as string[],
          createdAt: [] as string[],
          closesAt: [] as string[],
          decidedAt: [] as string[],
          award: [] as number[],
        };
        for (let k = from; k < to; k += 1) {
          const decided = spanStart.getTime() + Math.floor(((k + random()) / contributionCount) * span);
          const created = decided - Math.floor((1 + random() * 70) * HOUR_MS);
          const category = categories.rows[Math.floor(random() * categories.rows.length)];
          if (category === undefined) throw new Error("bench community has no categories");
          const multiplier = IMPACT_MULTIPLIERS[Math.floor(random() * IMPACT_MULTIPLIERS.length)] ?? 100;
          submitter[k] = someMember();
          decidedAt[k] = decided;
          award[k] = Math.round((category.weight * multiplier) / 100);
          cols.number.push(k + 1);
          cols.submitter.push(submitter[k] ?? 0);
          cols.category.push(category.id);
          cols.title.push(`Seeded contribution ${k + 1}`);
          cols.createdAt.push(sqlTime(new Date(created)));
          cols.closesAt.push(sqlTime(new Date(created + config.voteWindowHours * HOUR_MS)));
          cols.decidedAt.push(sqlTime(new Date(decided)));
          cols.award.push(award[k] ?? 0);
        }
        pending.push(
          pool.query(
            `INSERT INTO contribution ("communityId", number, "submitterId", "categoryId", title, status,
                                       "createdAt", "closesAt", "decidedAt", "decidedBy", award)
             SELECT $1, n, s, c, t, 'VERIFIED', ca::timestamp, cl::timestamp, da::timestamp, 'VOTES', a
             FROM unnest($2::int[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[])
               AS d(n, s, c, t, ca, cl, da, a)`,
            [
              communityId,
              cols.number,
              cols.submitter,
              cols.category,
              cols.title,
              cols.createdAt,
              cols.closesAt,
              cols.decidedAt,
              cols.award,
            ],
          ),
        );
        if (pending.length >= IN_FLIGHT) await pending.shift();
      }
      await Promise.all(pending);
      await pool.query(`SELECT setval(${NUMBER_SEQUENCE}, greatest($2::int, 1), $2::int > 0)`, [
        communityId,
        contributionCount,
      ]);
      const ids = await pool.query<{ id: number }>(
        `SELECT id FROM contribution WHERE "communityId" = $1 ORDER BY number`,
        [communityId],
      );
      ids.rows.forEach((row, i) => (contributionIds[i] = row.id));
      log(`  seed: ${contributionCount} verified contributions`);
    }

    // The ledger: hashed in order in Node, loaded in batches while the next batch is hashed.
    let prevHash = GENESIS_HASH;
    let seq = 0;
    const pending: Array<Promise<unknown>> = [];
    let batch = newEntryBatch();
    const flush = async (): Promise<void> => {
      if (batch.seq.length === 0) return;
      const rows = batch;
      batch = newEntryBatch();
      pending.push(
        pool.query(
          `INSERT INTO ledger_entry ("communityId", seq, kind, "memberId", points, "contributionId", "actorId",
                                     reason, "createdAt", "prevHash", hash)
           SELECT $1, s, k, m, p, c, NULL, r, t::timestamp, ph, h
           FROM unnest($2::int[], $3::"LedgerKind"[], $4::int[], $5::int[], $6::int[], $7::text[], $8::text[],
                       $9::text[], $10::text[]) AS d(s, k, m, p, c, r, t, ph, h)`,
          [
            communityId,
            rows.seq,
            rows.kind,
            rows.member,
            rows.points,
            rows.contribution,
            rows.reason,
            rows.createdAt,
            rows.prevHash,
            rows.hash,
          ],
        ),
      );
      if (pending.length >= IN_FLIGHT) await pending.shift();
    };
    const append = (facts: Omit<LedgerEntryFacts, "communityId" | "seq" | "actorId">): void => {
      seq += 1;
      const entry: LedgerEntryFacts = { ...facts, communityId, seq, actorId: null };
      const hash = hashEntry(prevHash, entry);
      batch.seq.push(seq);
      batch.kind.push(entry.kind);
      batch.member.push(entry.memberId);
      batch.points.push(entry.points);
      batch.contribution.push(entry.contributionId ?? 0);
      batch.reason.push(entry.reason);
      batch.createdAt.push(sqlTime(entry.createdAt));
      batch.prevHash.push(prevHash);
      batch.hash.push(hash);
      prevHash = hash;
    };
    for (let k = 0; k < contributionCount && seq < options.entries; k += 1) {
      const at = new Date(decidedAt[k] ?? 0);
      const contributionId = contributionIds[k] ?? 0;
      const author = submitter[k] ?? 0;
      append({
        kind: "AWARD",
        memberId: author,
        points: award[k] ?? 0,
        contributionId,
        reason: "verified contribution",
        createdAt: at,
      });
      const voters = new Set<number>();
      while (voters.size < ENTRIES_PER_CONTRIBUTION - 1) {
        const voter = someMember();
        if (voter !== author) voters.add(voter);
      }
      for (const voter of [...voters].sort((a, b) => a - b)) {
        if (seq >= options.entries) break;
        append({
          kind: "VERIFIER_REWARD",
          memberId: voter,
          points: config.verifierReward,
          contributionId,
          reason: "verified by vote",
          createdAt: at,
        });
      }
      if (batch.seq.length >= BATCH_ROWS) await flush();
    }
    await flush();
    await Promise.all(pending);
    await pool.query(`UPDATE ledger_head SET seq = $2, hash = $3 WHERE "communityId" = $1`, [
      communityId,
      seq,
      prevHash,
    ]);
    log(`  seed: ${seq} ledger entries (chain head ${prevHash.slice(0, 12)}…)`);

    // Balances and buckets, aggregated from the ledger just loaded (what appendLedgerEntries keeps).
    const aggregate = await pool.connect();
    let balances: number;
    let periodBalances: number;
    try {
      await aggregate.query("SET work_mem = '256MB'");
      const b = await aggregate.query(
        `INSERT INTO balance ("memberId", "communityId", total, verified, "activeAcc")
         SELECT "memberId", $1, sum(points), count(*) FILTER (WHERE kind = 'AWARD'),
                sum(points * power(2::float8, extract(epoch FROM ("createdAt" - $2::timestamp))::float8 / ($3::float8 * 86400)))
         FROM ledger_entry WHERE "communityId" = $1 GROUP BY "memberId"`,
        [communityId, sqlTime(spanStart), config.decayHalfLifeDays],
      );
      balances = b.rowCount ?? 0;
      const p = await aggregate.query(
        `INSERT INTO period_balance ("memberId", "communityId", period, points, verified)
         SELECT e."memberId", $1, b.period, sum(e.points), count(*) FILTER (WHERE e.kind = 'AWARD')
         FROM ledger_entry e
         CROSS JOIN LATERAL (VALUES ('D:' || to_char(e."createdAt", 'YYYY-MM-DD')),
                                    ('W:' || to_char(e."createdAt", 'IYYY-"W"IW')),
                                    ('M:' || to_char(e."createdAt", 'YYYY-MM'))) AS b(period)
         WHERE e."communityId" = $1 AND e.kind <> 'MERGE'
         GROUP BY e."memberId", b.period`,
        [communityId],
      );
      periodBalances = p.rowCount ?? 0;
    } finally {
      aggregate.release();
    }
    log(`  seed: ${balances} balances, ${periodBalances} period buckets`);
    await checkBucketKeys(pool, communityId);
    await pool.query("VACUUM ANALYZE");
    return {
      communityId,
      memberIds,
      contributions: contributionCount,
      entries: seq,
      balances,
      periodBalances,
      headHash: prevHash,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await pool.end();
  }
}

function newEntryBatch() {
  return {
    seq: [] as number[],
    kind: [] as string[],
    member: [] as number[],
    points: [] as number[],
    contribution: [] as number[],
    reason: [] as string[],
    createdAt: [] as string[],
    prevHash: [] as string[],
    hash: [] as string[],
  };
}

/** The SQL bucket keys must be the ones core/periods computes, or the boards would read empty buckets. */
async function checkBucketKeys(pool: pg.Pool, communityId: number): Promise<void> {
  const sample = await pool.query<{ memberId: number; createdAt: string; periods: string[] }>(
    `SELECT e."memberId", to_char(e."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
            ARRAY(SELECT period FROM period_balance p WHERE p."memberId" = e."memberId") AS periods
     FROM ledger_entry e WHERE e."communityId" = $1 ORDER BY e.seq DESC LIMIT 20`,
    [communityId],
  );
  for (const row of sample.rows) {
    const keys = periodKeys(new Date(row.createdAt));
    for (const key of [keys.day, keys.week, keys.month]) {
      if (!row.periods.includes(key))
        throw new Error(`seeded buckets disagree with core/periods: no ${key} for member ${row.memberId}`);
    }
  }
}
