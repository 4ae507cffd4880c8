import { describe, expect, it } from "vitest";
import { submissionAllowance } from "../../src/core/rateLimit.ts";

const config = { maxSubmissionsPerDay: 10 };

describe("daily submission limit", () => {
  it("allows a first submission and says how many remain after it", () => {
    expect(submissionAllowance(0, config)).toEqual({ ok: true, value: { remaining: 9 } });
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
