import { describe, expect, it } from "vitest";
import { openQueueBackend } from "../../src/jobs/backend.ts";
import { REDIS_URL } from "./support.ts";

describe("Redis credentials at start-up", () => {
  it("a wrong Redis password stops start-up with one line saying so, without the password", async () => {
    const where = new URL(REDIS_URL);
    const address = `${where.hostname}:${where.port || "6379"}`;
    const url = `redis://no-such-user:wr0ng-pass-7@${address}/0`;

    const started = Date.now();
    const outcome = await openQueueBackend({ redisUrl: url, databaseUrl: "postgresql://unused" }).then(
      () => null,
      (error: unknown) => error,
    );

    expect(outcome).toBeInstanceOf(Error);
    const message = (outcome as Error).message;
    expect(message).toMatch(
      new RegExp(`^Redis at ${address.replaceAll(".", "\\.")} refused the password \\(WRONGPASS`),
    );
    expect(message.split("\n")).toHaveLength(1);
    expect(message).not.toContain("wr0ng-pass-7");
    expect(Date.now() - started).toBeLessThan(9_000);
  }, 20_000);
});
