import { z } from "zod";
import type { MemberRef } from "../app/actors.ts";
import { MAX_CONTRIBUTION_NUMBER, parseContributionNumber, parsePoints } from "../core/commandLine.ts";
import { parseWindow, type LeaderboardWindow } from "../core/periods.ts";
import type { BareRefusalCode } from "../core/result.ts";

/**
 * Option schemas shared by the catalog. They accept text (console, Telegram) and
 * the typed values Discord sends. A failed check carries the refusal code as its
 * message, which dispatch turns into the one-line refusal.
 */
function refusing<T>(code: BareRefusalCode, parse: (value: unknown) => T | null): z.ZodType<T> {
  return z
    .unknown()
    .optional()
    .transform((value, ctx) => {
      const parsed = parse(value);
      if (parsed === null) {
        ctx.addIssue({ code: "custom", message: code });
        return z.NEVER;
      }
      return parsed;
    }) as unknown as z.ZodType<T>;
}

export const contributionNumber = refusing("BAD_CONTRIBUTION_ID", (value) => {
  if (typeof value === "number")
    return Number.isInteger(value) && value > 0 && value <= MAX_CONTRIBUTION_NUMBER ? value : null;
  if (typeof value !== "string") return null;
  const parsed = parseContributionNumber(value);
  return parsed.ok ? parsed.value : null;
});

export const memberRef = refusing<MemberRef>("USAGE", (value) => {
  if (typeof value === "string") {
    const name = value.replace(/^@/, "").trim();
    return name === "" ? null : { kind: "name", name };
  }
  if (typeof value === "object" && value !== null && "kind" in value) return value as MemberRef;
  return null;
});

export const leaderboardWindow = refusing<LeaderboardWindow>("BAD_WINDOW", (value) => {
  if (value === undefined) return { kind: "all" };
  if (typeof value !== "string") return null;
  const parsed = parseWindow(value);
  return parsed.ok ? parsed.value : null;
});

export const points = refusing("BAD_POINTS", (value) => {
  const parsed = parsePoints(String(value));
  return parsed.ok && parsed.value !== 0 ? parsed.value : null;
});

/** A category's points per verified contribution: 0 (counted, not rewarded) or more; the use case caps it. */
export const categoryWeight = refusing("BAD_WEIGHT", (value) => {
  const parsed = parsePoints(String(value));
  return parsed.ok && parsed.value >= 0 ? parsed.value : null;
});

/** A money amount in hundredths (budget, cap). */
export const amount = refusing("BAD_BUDGET", (value) => {
  const parsed = parsePoints(String(value));
  return parsed.ok && parsed.value > 0 ? parsed.value : null;
});

export const wholeNumber = (code: BareRefusalCode, min: number, max: number): z.ZodType<number> =>
  refusing(code, (value) => {
    const n = typeof value === "number" ? value : /^-?\d+$/.test(String(value)) ? Number(value) : NaN;
    return Number.isInteger(n) && n >= min && n <= max ? n : null;
  });

export const date = refusing("BAD_DATE", (value) => {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const parsed = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value ? null : parsed;
});

export const text = (code: BareRefusalCode = "REASON_REQUIRED"): z.ZodType<string> =>
  refusing(code, (value) => (typeof value === "string" && value.trim() !== "" ? value.trim() : null));

export const word = text("USAGE");

export const optional = <T>(schema: z.ZodType<T>): z.ZodType<T | undefined> => schema.optional();
