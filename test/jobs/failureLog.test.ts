import { describe, expect, it } from "vitest";
import { failureLog, OUTAGE_LINE_EVERY_MS } from "../../src/jobs/failureLog.ts";
import type { Log } from "../../src/logger.ts";

interface Line {
  readonly level: string;
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

function recordingLog(): { log: Log; lines: Line[] } {
  const lines: Line[] = [];
  const record =
    (level: string) =>
    (fields: object, message: string): void => {
      lines.push({ level, fields: fields as Record<string, unknown>, message });
    };
  return { log: { info: record("info"), warn: record("warn"), error: record("error") }, lines };
}

/** What pg throws when the server ends the connection (57P01), and Prisma when it cannot connect. */
const terminated = Object.assign(new Error("terminating connection due to administrator command"), {
  code: "57P01",
});
const unreachable = Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), {
  code: "P1001",
});

describe("the worker's failure log", () => {
  it("says a database outage in one line without its error, at most once every 30 s for each kind", () => {
    let now = 1_000_000;
    const { log, lines } = recordingLog();
    const failed = failureLog(log, () => now);
    for (let poll = 0; poll < 40; poll += 1) {
      failed("error", {}, poll % 2 === 0 ? terminated : unreachable, "outbox dispatch failed");
      failed("warn", { jobId: `outbox-${poll}` }, unreachable, "job failed");
      now += 250;
    }
    expect(lines).toEqual([
      {
        level: "warn",
        fields: {},
        message: "outbox dispatch failed: the database is unreachable; retrying until it is back",
      },
      {
        level: "warn",
        fields: { jobId: "outbox-0" },
        message: "job failed: the database is unreachable; retrying until it is back",
      },
    ]);
    expect(lines.some((line) => "err" in line.fields)).toBe(false);
    now += OUTAGE_LINE_EVERY_MS;
    failed("error", {}, terminated, "outbox dispatch failed");
    expect(lines).toHaveLength(3);
  });

  it("logs every other failure whole, each time", () => {
    const { log, lines } = recordingLog();
    const failed = failureLog(log, () => 0);
    const bug = new TypeError("cannot read properties of undefined");
    failed("error", { queue: "delivery" }, bug, "worker error");
    failed("error", { queue: "delivery" }, bug, "worker error");
    expect(lines).toEqual([
      { level: "error", fields: { queue: "delivery", err: bug }, message: "worker error" },
      { level: "error", fields: { queue: "delivery", err: bug }, message: "worker error" },
    ]);
  });
});
