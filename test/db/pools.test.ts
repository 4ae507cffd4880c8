import { randomUUID } from "node:crypto";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { trackConnections } from "../../src/db/pools.ts";
import { TEST_SERVER_URL } from "../support/template.ts";

/** Sessions of `applicationName` the server still has, seen from a connection opened before. */
async function sessionsOf(probe: pg.Client, applicationName: string): Promise<number> {
  const result = await probe.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1",
    [applicationName],
  );
  return result.rows[0]?.n ?? -1;
}

describe("a tracked pg pool", () => {
  it("has no session left on the server once it has hung up, so the server can stop", async () => {
    const probe = new pg.Client({ connectionString: TEST_SERVER_URL });
    await probe.connect();
    try {
      for (let round = 0; round < 5; round++) {
        const applicationName = `cairn-pools-${randomUUID().slice(0, 8)}`;
        const pool = new pg.Pool({
          connectionString: TEST_SERVER_URL,
          application_name: applicationName,
          max: 4,
        });
        const connections = trackConnections(pool);
        const clients = await Promise.all([1, 2, 3, 4].map(() => pool.connect()));
        for (const client of clients) client.release();
        await pool.end();
        await connections.hungUp();
        expect(await sessionsOf(probe, applicationName)).toBe(0);
      }
    } finally {
      await probe.end();
    }
  });

  it("hangs up at once when it never connected", async () => {
    const pool = new pg.Pool({ connectionString: TEST_SERVER_URL });
    const connections = trackConnections(pool);
    await pool.end();
    await expect(connections.hungUp()).resolves.toBeUndefined();
  });
});
