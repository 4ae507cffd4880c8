import { describe, expect, it } from "vitest";
import { commandAllowance, submissionAllowance } from "../../src/core/rateLimit.ts";

const config = { maxSubmissionsPerDay: 10, maxAgentSubmissionsPerDay: 3 };

describe("daily submission limit", () => {
  it("allows a first submission and says how many remain after it", () => {
    expect(submissionAllowance(0, config)).toEqual({ ok: true, value: { remaining: 9 } });
  });

  it("holds an agent to its own limit, maxAgentSubmissionsPerDay", () => {
    expect(submissionAllowance(2, config, "AGENT")).toEqual({ ok: true, value: { remaining: 0 } });
    expect(submissionAllowance(3, config, "AGENT")).toEqual({
      ok: false,
      error: { code: "SUBMISSION_LIMIT", detail: { limit: 3 } },
    });
    expect(submissionAllowance(3, config, "PERSON").ok).toBe(true);
  });

  it("allows the last one of the day", () => {
    expect(submissionAllowance(9, config)).toEqual({ ok: true, value: { remaining: 0 } });
  });

  it("refuses once the limit is reached, naming the limit", () => {
    expect(submissionAllowance(10, config)).toEqual({
      ok: false,
      error: { code: "SUBMISSION_LIMIT", detail: { limit: 10 } },
    });
    expect(submissionAllowance(25, config).ok).toBe(false);
  });
});

describe("per-member command rate", () => {
  const rate = { limit: 3, windowMs: 60_000 };
  const run = (times: number[]): string[] => {
    let window: Parameters<typeof commandAllowance>[0];
    return times.map((at) => {
      const next = commandAllowance(window, at, rate);
      window = next.window;
      return next.verdict;
    });
  };

  it("a flood gets its limit run, one refusal, then silence for the rest of the window", () => {
    expect(run([0, 1, 2, 3, 4, 59_999])).toEqual(["run", "run", "run", "refuse", "silent", "silent"]);
  });

  it("starts a fresh window a full window after the last one started", () => {
    expect(run([0, 1, 2, 3, 60_000, 60_001])).toEqual(["run", "run", "run", "refuse", "run", "run"]);
  });

  it("defaults to 20 commands a minute", () => {
    let window: Parameters<typeof commandAllowance>[0];
    const verdicts = Array.from({ length: 22 }, () => {
      const next = commandAllowance(window, 1_000);
      window = next.window;
      return next.verdict;
    });
    expect(verdicts.slice(0, 20).every((v) => v === "run")).toBe(true);
    expect(verdicts.slice(20)).toEqual(["refuse", "silent"]);
  });
});
