import { ok, refuse, type Result } from "./result.ts";

/** A command as typed on Telegram or the console: `/name@bot arg "quoted arg"`. */
export interface CommandLine {
  /** Lowercased command name without the slash or bot suffix. */
  name: string;
  /** Arguments split on whitespace, with double quotes grouping words. */
  args: string[];
  /** The text after the name, trimmed but otherwise as typed. */
  rest: string;
}

const COMMAND = /^\/([A-Za-z0-9_-]+)(?:@([A-Za-z0-9_]+))?(?=\s|$)/;
const OPENING_QUOTES = new Set(['"', "\u201C", "\u201E"]);
const CLOSING_QUOTES = new Set(['"', "\u201D", "\u201C"]);
/** Ids and contribution numbers are PostgreSQL integers. */
export const MAX_STORED_KEY = 2 ** 31 - 1;
export const MAX_CONTRIBUTION_NUMBER = MAX_STORED_KEY;

/** Whether a row could have this id or number: a whole number from 1 to the integer column's limit. */
export function isStoredKey(key: number): boolean {
  return Number.isInteger(key) && key >= 1 && key <= MAX_STORED_KEY;
}

/** Whether a contribution could have this number. */
export function isContributionNumber(number: number): boolean {
  return isStoredKey(number);
}
const MAX_POINTS_HUNDREDTHS = 1_000_000 * 100;

/**
 * Parses a command message. In groups Telegram appends `@botname`; a command
 * addressed to another bot is refused with `OTHER_BOT` so the caller can stay silent.
 */
const WORD_JOINER = "\u2060";

export function parseCommandLine(
  text: string,
  botUsername?: string,
): Result<CommandLine, "NOT_A_COMMAND" | "UNBALANCED_QUOTES" | "OTHER_BOT"> {
  // Word joiners are what the Telegram adapter puts after a typed @name so it
  // pings nobody; text copied from a bot message brings them along.
  const trimmed = text.replaceAll(WORD_JOINER, "").trim();
  const match = COMMAND.exec(trimmed);
  if (match === null) return refuse("NOT_A_COMMAND");
  const [head, name = "", addressee] = match;
  if (
    addressee !== undefined &&
    botUsername !== undefined &&
    addressee.toLowerCase() !== botUsername.toLowerCase()
  ) {
    return refuse("OTHER_BOT", { bot: addressee });
  }
  const rest = trimmed.slice(head.length).trim();
  const args = tokenize(rest);
  if (!args.ok) return args;
  return ok({ name: name.toLowerCase(), args: args.value, rest });
}

/**
 * Splits arguments on whitespace; double quotes (straight or the curly ones phone
 * keyboards type) group words, and `\"` inside quotes is a literal quote. Single
 * quotes are ordinary characters because titles contain apostrophes.
 */
export function tokenize(text: string): Result<string[], "UNBALANCED_QUOTES"> {
  const tokens: string[] = [];
  let current: string | null = null;
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charAt(i);
    if (quoted && char === "\\" && text.charAt(i + 1) === '"') {
      current = (current ?? "") + '"';
      i += 1;
    } else if (quoted ? CLOSING_QUOTES.has(char) : OPENING_QUOTES.has(char)) {
      quoted = !quoted;
      current ??= "";
    } else if (!quoted && /\s/.test(char)) {
      if (current !== null) tokens.push(current);
      current = null;
    } else {
      current = (current ?? "") + char;
    }
  }
  if (quoted) return refuse("UNBALANCED_QUOTES");
  if (current !== null) tokens.push(current);
  return ok(tokens);
}

/** Reads a contribution number typed as `#42` or `42`. */
export function parseContributionNumber(token: string): Result<number, "BAD_CONTRIBUTION_ID"> {
  const match = /^#?(\d{1,10})$/.exec(token.trim());
  const value = match === null ? NaN : Number(match[1]);
  if (!(value >= 1 && value <= MAX_CONTRIBUTION_NUMBER)) return refuse("BAD_CONTRIBUTION_ID");
  return ok(value);
}

/** The handle in a typed mention (`@alice` → `alice`), or null when the token is not one. */
export function parseMention(token: string): string | null {
  const match = /^@([A-Za-z0-9_.]{1,32})$/.exec(token.trim());
  return match?.[1] ?? null;
}

/**
 * Reads points typed by a person into hundredths: `2.5` → 250, `-1` → -100.
 * At most two decimals and at most a million points either way, so no float and no
 * overflow ever reaches the ledger.
 */
export function parsePoints(text: string): Result<number, "BAD_POINTS"> {
  const match = /^([+-])?(\d{1,7})?(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (match === null || (match[2] === undefined && match[3] === undefined)) return refuse("BAD_POINTS");
  const [, sign, whole = "0", fraction = ""] = match;
  const magnitude = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
  if (magnitude > MAX_POINTS_HUNDREDTHS) return refuse("BAD_POINTS", { max: 1_000_000 });
  return ok(sign === "-" && magnitude !== 0 ? -magnitude : magnitude);
}
