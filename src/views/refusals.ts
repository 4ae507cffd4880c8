import {
  MAX_CREDITED_MEMBERS,
  MAX_LINK_ATTEMPTS,
  MAX_OPEN_LINK_CODES,
  MAX_OPEN_QUESTIONS_PER_VOTER,
} from "../core/config.ts";
import type { Refusal, RefusalCode, RefusalDetails } from "../core/result.ts";
import { MAX_TOKENS_PER_COMMUNITY, TOKEN_SCOPES } from "../core/tokens.ts";
import { limitText, MAX_DESCRIPTION_LENGTH, MAX_REASON_LENGTH, MAX_TITLE_LENGTH } from "../core/text.ts";
import { MAX_EVIDENCE_LINKS } from "../core/urls.ts";
import { MAX_EVIDENCE_DIGESTS } from "../core/digests.ts";

/** A text for every refusal code, each reading the facts its code carries. */
export type RefusalTexts = { readonly [C in RefusalCode]: (detail: RefusalDetails[C]) => string };

// A refusal reaches a text without its facts only when it was made from a bare
// code at run time (a zod issue), so the texts still read well without them.
const number = (d: { readonly number?: number }): string =>
  d.number === undefined ? "that contribution" : `#${d.number}`;
const status = (d: { readonly status?: string }): string => String(d.status ?? "").toLowerCase();

/** One line per refusal: what was wrong and how to do it right. */
export const refusalTexts = {
  NO_COMMUNITY: () =>
    "This chat is not part of a Cairn community yet; add the bot to the group or use /community join CODE.",
  UNKNOWN_COMMAND: (d) => `Unknown command ${d.command ?? ""}; type /help for the list.`,
  USAGE: (d) => `Usage: ${d.usage ?? "/help"}`,
  NOT_A_COMMAND: () => "Commands start with /; type /help for the list.",
  OTHER_BOT: () => "That command is addressed to another bot.",
  UNBALANCED_QUOTES: () => "A quote is not closed; put matching quotes around text with spaces.",
  TITLE_LENGTH: () => `The title must be 1 to ${MAX_TITLE_LENGTH} characters.`,
  DESCRIPTION_LENGTH: () => `The description can be at most ${MAX_DESCRIPTION_LENGTH} characters.`,
  REASON_REQUIRED: () => "Give a reason after the command.",
  REASON_LENGTH: () => `The text can be at most ${MAX_REASON_LENGTH} characters.`,
  BAD_LINK: (d) => `${d.link === undefined ? "A link" : `The link ${d.link}`} is not a valid http(s) URL.`,
  TOO_MANY_LINKS: () => `At most ${MAX_EVIDENCE_LINKS} evidence links per contribution.`,
  UNKNOWN_CATEGORY: (d) =>
    `There is no category "${d.category ?? ""}"${d.known === undefined ? "" : `; choose one of: ${d.known}`}.`,
  BANNED: () => "You are banned from this community's ledger; ask a moderator.",
  RATE_LIMITED: () => "You are sending commands too fast; wait a minute and try again.",
  DATABASE_UNAVAILABLE: () =>
    "Cairn cannot reach its database right now, so nothing was changed; please try again in a minute.",
  SUBMISSION_LIMIT: (d) =>
    `You have reached today's limit of ${d.limit ?? "daily"} contributions; try again tomorrow.`,
  BAD_DIGEST: (d) =>
    `${d.position === undefined ? "A digest" : `Digest ${d.position}`} is not valid; write sha256: and the 64 hex digits of the file's SHA-256.`,
  TOO_MANY_DIGESTS: () => `At most ${MAX_EVIDENCE_DIGESTS} evidence digests per contribution.`,
  DUPLICATE_DIGEST: (d) => `That evidence digest is already used by contribution #${d.number ?? "?"}.`,
  DUPLICATE_LINK: (d) => `That evidence link is already used by contribution #${d.number ?? "?"}.`,
  UNKNOWN_MEMBER: (d) => `No member is called "${d.name ?? ""}"; mention them or check the spelling.`,
  AMBIGUOUS_MEMBER: (d) => `More than one member is called "${d.name ?? ""}"; mention them instead.`,
  BAD_CREDIT: () => "Write co-authors as: with @alice:60 @bob:40 (shares in percent).",
  SHARES_OVER_100: () => "Co-author shares add up to more than 100%.",
  DUPLICATE_CREDIT: () => "A co-author is listed twice.",
  TOO_MANY_CREDITS: () => `At most ${MAX_CREDITED_MEMBERS} members can be credited on one contribution.`,
  TOO_MANY_QUESTIONS: () =>
    `You already have ${MAX_OPEN_QUESTIONS_PER_VOTER} open questions on this contribution; wait for answers.`,
  BAD_SHARE: () => "Each share must be a percentage above 0 and at most 100, with at most 2 decimals.",
  BAD_CONTRIBUTION_ID: () => "That is not a contribution number; write it like #42.",
  UNKNOWN_CONTRIBUTION: (d) => `There is no contribution ${number(d)} in this community.`,
  NOT_SUBMITTER: (d) => `Only the submitter of ${number(d)} can do that.`,
  NOT_PENDING: (d) => `${number(d)} is ${status(d)}, not pending.`,
  ALREADY_VOTED_ON: (d) => `${number(d)} already has votes, so it can no longer be edited.`,
  NOTHING_TO_EDIT: () => "Say what to change: /edit #42 title|description|links|category <new value>.",
  VOTE_CLOSED: (d) => `Voting on ${number(d)} is closed${d.status === undefined ? "" : ` (${status(d)})`}.`,
  BAD_IMPACT: () => "Impact is a whole number from 1 to 5.",
  IMPACT_ON_REJECT: () => "Impact ratings go with approvals; reject without one.",
  OWN_CONTRIBUTION: () => "You cannot vote on your own contribution.",
  AGENT_OWNER_CONFLICT: () =>
    "An agent and its owner count as one: neither may vote on the other's contributions.",
  AGENT_VOTING_OFF: () => "Agents may not vote in this community (a moderator can turn agentVoting on).",
  CREDITED: () => "You are credited on this contribution, so you cannot vote on it.",
  TOO_NEW: (d) => `New members can vote after ${d.days ?? "a few"} day(s) in the community.`,
  MISSING_VOTER_ROLE: (d) => `Voting needs the ${d.role ?? "voter"} role.`,
  NO_OPEN_QUESTION: (d) => `${number(d)} has no open question to answer.`,
  NOT_MODERATOR: () => "Only moderators can do that.",
  ALREADY_DECIDED: (d) => `${number(d)} is already ${status(d) || "decided"}.`,
  NOT_VERIFIED: (d) => `Only verified contributions can be voided; ${number(d)} is ${status(d)}.`,
  BAD_HOURS: (d) => `Extend by a whole number of hours from 1 to ${d.max ?? 720}.`,
  NOT_APPEALABLE: (d) =>
    `Only rejected or expired contributions can be appealed; ${number(d)} is ${status(d)}.`,
  ALREADY_APPEALED: (d) => `${number(d)} has already been appealed once.`,
  NOT_REOPENABLE: (d) =>
    `Only rejected or expired contributions can be reopened; ${number(d)} is ${status(d)}.`,
  ALREADY_BANNED: (d) => `${d.name ?? "That member"} is already banned.`,
  NOT_BANNED: (d) => `${d.name ?? "That member"} is not banned.`,
  CANNOT_BAN_SELF: () => "You cannot ban yourself.",
  BALANCE_LIMIT: () => "That would take the member's points beyond 21,474,836.47, the most a balance holds.",
  BAD_POINTS: () => "Points are a non-zero number with at most 2 decimals, like 5 or -2.5.",
  ALREADY_ERASED: () => "Your names have already been erased.",
  NO_ERASURE_REQUEST: (d) => `${d.name ?? "That member"} has not asked to be forgotten (/forget-me).`,
  UNKNOWN_CONFIG_KEY: (d) => `There is no setting "${d.key ?? ""}"; /config show lists them.`,
  INVALID_CONFIG_VALUE: (d) => `${d.key ?? "That setting"} expects ${d.expected ?? "another value"}.`,
  FOREIGN_CHAT: () =>
    "That is not a channel, group or topic of this community; pick one of the community's own.",
  BAD_CATEGORY_NAME: () => "Category names are 1-32 lowercase letters, digits or dashes.",
  BAD_WEIGHT: (d) => `A category weight is a number of points from 0 to ${d.max ?? 10000}.`,
  CATEGORY_EXISTS: (d) => `The category ${d.category ?? ""} already exists; use /category edit.`,
  LAST_CATEGORY: () => "A community needs at least one category.",
  OWN_ADJUSTMENT: () => "You cannot adjust your own points; ask another moderator.",
  UNKNOWN_SPACE: (d) => `No linked chat has id ${d.id ?? "?"} (see /community chats).`,
  THIS_SPACE: () => "You cannot unlink the chat you are in; run /community unlink from another linked chat.",
  LAST_SPACE: () => "A community needs at least one linked chat.",
  BAD_SEASON_NAME: () => "Season names are 1-40 letters, digits, spaces, dots or dashes.",
  BAD_SEASON_DATES: () => "A season ends after it starts; dates are YYYY-MM-DD.",
  BAD_DATE: () => "Dates are written YYYY-MM-DD.",
  SEASON_EXISTS: (d) => `A season called ${d.name ?? ""} already exists.`,
  UNKNOWN_SEASON: (d) => `There is no season called ${d.name ?? ""}.`,
  SEASON_ENDED: (d) => `The season ${d.name ?? ""} has already ended.`,
  BAD_WINDOW: () => "Windows: all, week, month, 7d, 30d, season:NAME or YYYY-MM-DD..YYYY-MM-DD.",
  BAD_CODE: () => "That code is unknown, used or expired; codes last 10 minutes.",
  TOO_MANY_LINK_CODES: () =>
    `You already have ${MAX_OPEN_LINK_CODES} unused link codes; use one or wait 10 minutes for them to expire.`,
  LINK_ATTEMPTS: () => `At most ${MAX_LINK_ATTEMPTS} link attempts in 10 minutes; please wait and try again.`,
  OWN_CODE: () => "That is your own code; type /link CODE on your other platform.",
  ALREADY_LINKED: () => "Those accounts are already linked.",
  ALREADY_IN_COMMUNITY: (d) => `This chat is already part of ${d.name ?? "that community"}.`,
  SPACE_HAS_HISTORY: () => "This chat already has its own ledger, so it cannot join another community.",
  BAD_BUDGET: () => "A budget and a cap are amounts with at most 2 decimals, like 1000 or 250.50.",
  BAD_CAP: () => "The cap must be a positive amount with at most 2 decimals.",
  WINDOW_NOT_ENDED: () => "Only a window that has ended can be recorded as paid; export it after it ends.",
  BUDGET_REQUIRED: () => "A cap or record needs a budget: /export month 1000 [cap] record.",
  BAD_LEDGER_LINE: (d) => `Line ${d.line ?? "?"} of the file is not a ledger entry.`,
  UNREADABLE_FILE: () => "That file cannot be read.",
  EXPORT_IN_PROGRESS: () =>
    "Your previous background export is still being built; wait for its file before asking for another.",
  UNKNOWN_EXPORT: (d) =>
    `There is no export ${d.id ?? ""} of this community (built exports are kept for a day).`,
  EXPORT_NOT_READY: (d) => `The export ${d.id ?? ""} is not built yet; ask for its status again later.`,
  NOT_IN_PRIVATE: () => "Use this command in a community chat, not in private.",
  BAD_TOKEN_NAME: () => "Token names are 1-32 lowercase letters, digits, dashes or underscores.",
  BAD_SCOPE: (d) =>
    `${d.scope === undefined ? "Give at least one scope" : `There is no scope "${d.scope}"`}; scopes: ${TOKEN_SCOPES.join(", ")}.`,
  TOKEN_EXISTS: (d) => `A token called ${d.name ?? ""} already exists; choose another name.`,
  TOO_MANY_TOKENS: (d) => `A community keeps at most ${d.max ?? MAX_TOKENS_PER_COMMUNITY} tokens.`,
  UNKNOWN_TOKEN: (d) => `There is no token called ${d.name ?? ""} (see /token list).`,
  TOKEN_REVOKED: (d) => `The token ${d.name ?? ""} is revoked.`,
  UNAUTHENTICATED: () =>
    "Send a Cairn API token as Authorization: Bearer <token>; a moderator makes one with /token create.",
  MISSING_SCOPE: (d) => `This token lacks the ${d.scope ?? "needed"} scope.`,
  BAD_REQUEST: (d) => `The request is not valid${d.problem === undefined ? "" : `: ${d.problem}`}.`,
  NOT_FOUND: () => "There is no such resource.",
  BODY_TOO_LARGE: (d) => `The request body can be at most ${d.max ?? "a few"} bytes.`,
  IDEMPOTENCY_KEY_REUSED: () =>
    "That Idempotency-Key was already used for a different request; use a new key.",
  IDEMPOTENCY_IN_PROGRESS: () => "A request with that Idempotency-Key is still running; retry shortly.",
  SIGN_IN_UNKNOWN: () => "That sign-in link is not valid; ask for a new one with /web login in chat.",
  SIGN_IN_EXPIRED: () =>
    "That sign-in link has expired (links last 10 minutes); ask for a new one with /web login.",
  SIGN_IN_USED: () => "That sign-in link was already used; ask for a new one with /web login.",
  NOT_SIGNED_IN: () => "Sign in first: a moderator types /web login in chat and follows the link it sends.",
  SESSION_EXPIRED: () => "Your web session has ended; sign in again with /web login in chat.",
  FORGED_FORM: () => "That form did not come from this page; reload the page and try again.",
  OTHER_COMMUNITY: () =>
    "You are signed in to another community; sign in to this one with /web login in its chat.",
} satisfies RefusalTexts;

/** The one-line text of a refusal; a code unknown at run time still reads as a refusal, never a crash. */
export function refusalText<C extends RefusalCode>(refusal: Refusal<C>): string {
  const texts: RefusalTexts = refusalTexts;
  const text: ((detail: RefusalDetails[C]) => string) | undefined = texts[refusal.code];
  // Facts are typed by the code; `detail` of the union member is the code's own.
  const detail = quotable(refusal.detail ?? {}) as RefusalDetails[C];
  return text === undefined ? `That did not work (${refusal.code}).` : text(detail);
}

/** Whether a code read at run time (a zod issue's message) is a refusal code. */
export function isRefusalCode(code: string): code is RefusalCode {
  return Object.hasOwn(refusalTexts, code);
}

/** The longest piece of a refusal's detail (often words as typed) that a refusal quotes. */
const MAX_QUOTED_LENGTH = 200;

/**
 * A refusal stays one short line whatever was typed: each detail it quotes has its
 * line breaks turned into spaces and is cut to MAX_QUOTED_LENGTH characters.
 */
function quotable(detail: object): object {
  return Object.fromEntries(
    Object.entries(detail).map(([key, value]: [string, unknown]) => [
      key,
      typeof value === "string"
        ? limitText(value.replace(/[\n\r\u2028\u2029\u0085]+/g, " "), MAX_QUOTED_LENGTH)
        : value,
    ]),
  );
}
