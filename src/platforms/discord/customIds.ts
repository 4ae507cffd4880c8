import { MAX_CONTRIBUTION_NUMBER } from "../../core/commandLine.ts";

/**
 * What a button, select or modal stands for, carried in its custom_id. Anyone
 * can send any custom_id to the bot, so decoding validates every part and the
 * action still goes through the catalog (input schema, eligibility, moderator
 * check) like a typed command.
 */
export type VoteChoice = "approve" | "reject";

export type ComponentAction =
  | { readonly kind: "vote"; readonly number: number; readonly choice: VoteChoice }
  /** Needs-info: opens the question modal. */
  | { readonly kind: "ask"; readonly number: number }
  /** The impact select: approve with the chosen impact. */
  | { readonly kind: "impact"; readonly number: number };

/** A co-author carried from /contribute's options to its modal: a mentioned account or a typed name. */
export type CreditToken =
  | { readonly kind: "user"; readonly userId: string; readonly shareBp: number | null }
  | { readonly kind: "name"; readonly name: string; readonly shareBp: number | null };

export type ModalAction =
  | { readonly kind: "question"; readonly number: number }
  | { readonly kind: "contribute"; readonly category: string; readonly credits: readonly CreditToken[] };

const PREFIX = "cairn";
/** Discord's limit for a custom_id. */
export const CUSTOM_ID_MAX = 100;

export function encodeComponent(action: ComponentAction): string {
  switch (action.kind) {
    case "vote":
      return `${PREFIX}:vote:${action.number}:${action.choice}`;
    case "ask":
      return `${PREFIX}:vote:${action.number}:info`;
    case "impact":
      return `${PREFIX}:impact:${action.number}`;
  }
}

export function decodeComponent(customId: string): ComponentAction | null {
  const parts = customId.split(":");
  if (parts[0] !== PREFIX) return null;
  if (parts[1] === "vote" && parts.length === 4) {
    const number = contributionNumber(parts[2]);
    if (number === null) return null;
    if (parts[3] === "approve" || parts[3] === "reject") return { kind: "vote", number, choice: parts[3] };
    if (parts[3] === "info") return { kind: "ask", number };
    return null;
  }
  if (parts[1] === "impact" && parts.length === 3) {
    const number = contributionNumber(parts[2]);
    return number === null ? null : { kind: "impact", number };
  }
  return null;
}

/** An impact picked in the select, 1..5, or null for anything else. */
export function decodeImpact(value: string | undefined): number | null {
  return value !== undefined && /^[1-5]$/.test(value) ? Number(value) : null;
}

/** The modal's custom_id, or null when it would not fit Discord's 100 characters (too many co-authors). */
export function encodeModal(action: ModalAction): string | null {
  const id =
    action.kind === "question"
      ? `${PREFIX}:ask:${action.number}`
      : `${PREFIX}:contribute:${action.category}${action.credits.length === 0 ? "" : `:${action.credits.map(encodeCredit).join(",")}`}`;
  return id.length <= CUSTOM_ID_MAX ? id : null;
}

export function decodeModal(customId: string): ModalAction | null {
  const parts = customId.split(":");
  if (parts[0] !== PREFIX) return null;
  if (parts[1] === "ask" && parts.length === 3) {
    const number = contributionNumber(parts[2]);
    return number === null ? null : { kind: "question", number };
  }
  if (parts[1] === "contribute" && (parts.length === 3 || parts.length === 4)) {
    const category = parts[2] ?? "";
    if (!CATEGORY.test(category)) return null;
    const credits = parts[3] === undefined ? [] : parts[3].split(",").map(decodeCredit);
    if (credits.some((c) => c === null)) return null;
    return { kind: "contribute", category, credits: credits as CreditToken[] };
  }
  return null;
}

const CATEGORY = /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/;
const NAME = /^[A-Za-z0-9_.]{1,32}$/;
const SNOWFLAKE = /^\d{5,20}$/;

/** `u<id in base 36>` or `n<name>`, then `=<basis points>` when a share was given; base 36 keeps ids short. */
function encodeCredit(credit: CreditToken): string {
  const who = credit.kind === "user" ? `u${BigInt(credit.userId).toString(36)}` : `n${credit.name}`;
  return credit.shareBp === null ? who : `${who}=${credit.shareBp}`;
}

function decodeCredit(text: string): CreditToken | null {
  const [who = "", share, extra] = text.split("=");
  if (extra !== undefined) return null;
  let shareBp: number | null = null;
  if (share !== undefined) {
    if (!/^\d{1,5}$/.test(share) || Number(share) < 1 || Number(share) > 10_000) return null;
    shareBp = Number(share);
  }
  const rest = who.slice(1);
  if (who.startsWith("u") && /^[0-9a-z]{1,13}$/.test(rest)) {
    const userId = base36ToDecimal(rest);
    return SNOWFLAKE.test(userId) ? { kind: "user", userId, shareBp } : null;
  }
  if (who.startsWith("n") && NAME.test(rest)) return { kind: "name", name: rest, shareBp };
  return null;
}

function base36ToDecimal(digits: string): string {
  let value = 0n;
  for (const digit of digits) value = value * 36n + BigInt(parseInt(digit, 36));
  return value.toString();
}

function contributionNumber(text: string | undefined): number | null {
  if (text === undefined || !/^[1-9]\d{0,9}$/.test(text)) return null;
  const number = Number(text);
  return number <= MAX_CONTRIBUTION_NUMBER ? number : null;
}

/**
 * The action a View's button stands for, read from its text command
 * (`/vote #12 approve`, `/vote #12 info`, `/vote #12 approve 4`). Impact
 * buttons come back as `impact` with their number; they become one select.
 */
export function buttonAction(
  command: string,
): { readonly action: ComponentAction; readonly impact: number | null } | null {
  const match = /^\/vote #(\d+) (approve|reject|info)(?: ([1-5]))?$/.exec(command.trim());
  if (match === null) return null;
  const number = contributionNumber(match[1]);
  if (number === null) return null;
  const choice = match[2];
  if (match[3] !== undefined) return { action: { kind: "impact", number }, impact: Number(match[3]) };
  if (choice === "info") return { action: { kind: "ask", number }, impact: null };
  return {
    action: { kind: "vote", number, choice: choice === "approve" ? "approve" : "reject" },
    impact: null,
  };
}
