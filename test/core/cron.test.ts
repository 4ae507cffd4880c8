import { describe, expect, it } from "vitest";
import { isCronExpression } from "../../src/core/cron.ts";

describe("cron schedules", () => {
  it.each([
    "0 9 * * 1",
    "0 9 * * *",
    "*/5 * * * *",
    "0 0 1 jan *",
    "0 12 * * mon-fri",
    "15,45 8-17/2 1-31 1-12 0-7",
  ])("accepts %j", (text) => expect(isCronExpression(text)).toBe(true));

  it.each([
    "",
    "0 9 * *",
    "0 9 * * 1 2026",
    "60 * * * *",
    "* 24 * * *",
    "* * 0 * *",
    "* * * 13 *",
    "* * * * 8",
    "5-1 * * * *",
    "*/0 * * * *",
    "@weekly",
    "0 9 ? * MON#1",
  ])("refuses %j", (text) => expect(isCronExpression(text)).toBe(false));
});
