import type { CommandInteractionOption } from "discord.js";
import type { MemberRef, PlatformUser } from "../../app/actors.ts";
import type { CoAuthorClaim } from "../../app/contributions.ts";
import type { AnyCommandSpec, OptionSpec } from "../../commands/types.ts";
import { parseCredits } from "../../core/credits.ts";
import { ok, refuse, type Result } from "../../core/result.ts";
import { mentionedUser } from "./people.ts";
import { slashOptions } from "./registration.ts";

/** Reads one option of the interaction by name (discord.js hoists a subcommand's options). */
export type OptionReader = (name: string) => CommandInteractionOption | null;

/**
 * The raw input of a catalog command from a slash command's typed options;
 * the command's schema validates it exactly as it validates typed text.
 */
export function slashInput(spec: AnyCommandSpec, read: OptionReader): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const option of slashOptions(spec)) {
    const given = read(option.name);
    if (given === null) continue;
    const value = optionValue(option, given);
    if (value !== undefined) raw[option.name] = value;
  }
  return raw;
}

function optionValue(option: OptionSpec, given: CommandInteractionOption): unknown {
  switch (option.kind) {
    case "member":
      return given.user === undefined ? given.value : memberRefOf(given);
    case "points":
      // parsePoints reads text; a Number option arrives as a JS number.
      return given.value === undefined ? undefined : String(given.value);
    case "links":
      return typeof given.value === "string" ? splitWords(given.value) : given.value;
    case "credits":
      return typeof given.value === "string" ? splitWords(given.value) : given.value;
    case "text":
    case "word":
      return typeof given.value === "string" ? bareMention(given.value) : given.value;
    default:
      return given.value;
  }
}

function memberRefOf(given: CommandInteractionOption): MemberRef | undefined {
  if (given.user === undefined) return undefined;
  return { kind: "user", user: mentionedUser(given.user, given.member) };
}

export function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((t) => t !== "");
}

/**
 * A value that is exactly one channel or role mention (`<#123>`, `<@&456>`)
 * becomes the bare id: `/config set verificationChat #cards` must store the
 * channel id the bot posts to, and `moderatorRole @Mods` the role id Discord
 * reports on each member.
 */
export function bareMention(text: string): string {
  const match = /^\s*<(?:#|@&)(\d{5,20})>\s*$/.exec(text);
  return match?.[1] ?? text;
}

const MENTION = /^<@!?(\d{5,20})>(.*)$/;

/** A co-author named in /contribute's option: a mentioned account or a typed name, with a share or none. */
export type CreditToken =
  | { readonly kind: "user"; readonly userId: string; readonly shareBp: number | null }
  | { readonly kind: "name"; readonly name: string; readonly shareBp: number | null };

/**
 * Co-authors as typed in /contribute's option on Discord: mentions
 * (`<@123>:60`, what the client sends for `@alice:60`) or names (`@alice:60`),
 * optionally after "with". Shares are read by the core's credit rules.
 */
export function parseCreditText(text: string): Result<CreditToken[], "BAD_CREDIT"> {
  const tokens = splitWords(text.replaceAll(",", " "));
  if (tokens[0]?.toLowerCase() === "with") tokens.shift();
  const credits: CreditToken[] = [];
  for (const token of tokens) {
    const mention = MENTION.exec(token);
    const parsed = parseCredits([mention === null ? token : `@m${mention[2] ?? ""}`]);
    const [claim] = parsed.ok ? parsed.value : [];
    if (claim === undefined) return refuse("BAD_CREDIT", { token });
    credits.push(
      mention === null
        ? { kind: "name", name: claim.handle, shareBp: claim.shareBp }
        : { kind: "user", userId: mention[1] ?? "", shareBp: claim.shareBp },
    );
  }
  return ok(credits);
}

/** Finds a mentioned co-author's current name and roles on the server, or null when they are not in it. */
export type MemberLookup = (userId: string) => Promise<PlatformUser | null>;

/** Turns carried credit tokens into the co-author claims /contribute's schema accepts. */
export async function coAuthorClaims(
  credits: readonly CreditToken[],
  lookup: MemberLookup,
): Promise<Result<CoAuthorClaim[], "UNKNOWN_MEMBER">> {
  const claims: CoAuthorClaim[] = [];
  for (const credit of credits) {
    if (credit.kind === "name") {
      claims.push({ member: { kind: "name", name: credit.name }, shareBp: credit.shareBp });
      continue;
    }
    const user = await lookup(credit.userId);
    if (user === null) return refuse("UNKNOWN_MEMBER", { name: `<@${credit.userId}>` });
    claims.push({ member: { kind: "user", user }, shareBp: credit.shareBp });
  }
  return ok(claims);
}
