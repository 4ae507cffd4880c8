/** A refusal that carries no facts. */
export interface NoDetail {
  readonly [key: string]: never;
}

interface ContributionFacts {
  readonly number: number;
}

interface ContributionStatusFacts extends ContributionFacts {
  readonly status: string;
}

interface NameFacts {
  readonly name: string;
}

interface LimitFacts {
  readonly max: number;
}

interface LengthFacts extends LimitFacts {
  readonly length: number;
}

/**
 * Every expected failure of Cairn's rules and use cases, with the facts its
 * message may use. Each adapter maps every code to its own words; a code added
 * here without a text (or a text for a code not here) fails the type-check.
 */
export interface RefusalDetails {
  readonly NO_COMMUNITY: NoDetail;
  readonly UNKNOWN_COMMAND: { readonly command: string };
  readonly USAGE: { readonly usage?: string };
  readonly NOT_A_COMMAND: NoDetail;
  readonly OTHER_BOT: { readonly bot: string };
  readonly UNBALANCED_QUOTES: NoDetail;
  readonly TITLE_LENGTH: LengthFacts & { readonly min: number };
  readonly DESCRIPTION_LENGTH: LengthFacts;
  readonly REASON_REQUIRED: NoDetail;
  readonly REASON_LENGTH: LengthFacts;
  /** `link` names the link as typed, `position` its place in the list, `problem` what is wrong with it. */
  readonly BAD_LINK: {
    readonly link?: string;
    readonly position?: number;
    readonly problem?: string;
    readonly max?: number;
  };
  readonly TOO_MANY_LINKS: LimitFacts;
  /** `known` lists the community's categories, comma-separated. */
  readonly UNKNOWN_CATEGORY: { readonly category: string; readonly known?: string };
  readonly BANNED: NoDetail;
  readonly RATE_LIMITED: NoDetail;
  /** The database could not be reached (stopped, restarting); nothing was changed. */
  readonly DATABASE_UNAVAILABLE: NoDetail;
  readonly SUBMISSION_LIMIT: { readonly limit: number };
  readonly DUPLICATE_LINK: ContributionFacts;
  /** `position` is the digest's place among the digests given. */
  readonly BAD_DIGEST: { readonly position?: number };
  readonly TOO_MANY_DIGESTS: LimitFacts;
  readonly DUPLICATE_DIGEST: ContributionFacts;
  readonly UNKNOWN_MEMBER: NameFacts;
  readonly AMBIGUOUS_MEMBER: NameFacts;
  readonly BAD_CREDIT: { readonly token?: string };
  readonly SHARES_OVER_100: { readonly percent?: number };
  readonly DUPLICATE_CREDIT: { readonly memberId?: number };
  readonly TOO_MANY_CREDITS: LimitFacts;
  readonly TOO_MANY_QUESTIONS: LimitFacts;
  readonly BAD_SHARE: { readonly memberId?: number };
  readonly BAD_CONTRIBUTION_ID: NoDetail;
  readonly UNKNOWN_CONTRIBUTION: ContributionFacts;
  readonly NOT_SUBMITTER: ContributionFacts;
  readonly NOT_PENDING: ContributionStatusFacts;
  readonly ALREADY_VOTED_ON: ContributionFacts;
  readonly NOTHING_TO_EDIT: NoDetail;
  readonly VOTE_CLOSED: ContributionStatusFacts;
  readonly BAD_IMPACT: NoDetail;
  readonly IMPACT_ON_REJECT: NoDetail;
  readonly OWN_CONTRIBUTION: NoDetail;
  readonly CREDITED: NoDetail;
  readonly AGENT_OWNER_CONFLICT: NoDetail;
  readonly AGENT_VOTING_OFF: NoDetail;
  readonly TOO_NEW: { readonly days: number; readonly daysLeft: number };
  readonly MISSING_VOTER_ROLE: { readonly role: string };
  readonly NO_OPEN_QUESTION: ContributionFacts;
  readonly NOT_MODERATOR: NoDetail;
  readonly ALREADY_DECIDED: ContributionStatusFacts;
  readonly NOT_VERIFIED: ContributionStatusFacts;
  readonly BAD_HOURS: Partial<LimitFacts>;
  readonly NOT_APPEALABLE: ContributionStatusFacts;
  readonly ALREADY_APPEALED: ContributionFacts;
  readonly NOT_REOPENABLE: ContributionStatusFacts;
  readonly ALREADY_BANNED: NameFacts;
  readonly NOT_BANNED: NameFacts;
  readonly CANNOT_BAN_SELF: NoDetail;
  readonly BALANCE_LIMIT: LimitFacts;
  readonly BAD_POINTS: Partial<LimitFacts>;
  readonly ALREADY_ERASED: NoDetail;
  readonly NO_ERASURE_REQUEST: NameFacts;
  /** `expected` lists the keys there are. */
  readonly UNKNOWN_CONFIG_KEY: { readonly key: string; readonly expected: string };
  /** `expected` says what the key takes. */
  readonly INVALID_CONFIG_VALUE: { readonly key: string; readonly expected: string };
  readonly FOREIGN_CHAT: NoDetail;
  readonly BAD_CATEGORY_NAME: NoDetail;
  readonly BAD_WEIGHT: Partial<LimitFacts>;
  readonly CATEGORY_EXISTS: { readonly category: string };
  readonly LAST_CATEGORY: NoDetail;
  readonly OWN_ADJUSTMENT: NoDetail;
  readonly UNKNOWN_SPACE: { readonly id: number };
  readonly THIS_SPACE: NoDetail;
  readonly LAST_SPACE: NoDetail;
  readonly BAD_SEASON_NAME: NoDetail;
  readonly BAD_SEASON_DATES: NoDetail;
  readonly BAD_DATE: NoDetail;
  readonly SEASON_EXISTS: NameFacts;
  readonly UNKNOWN_SEASON: NameFacts;
  readonly SEASON_ENDED: NameFacts;
  readonly BAD_WINDOW: { readonly maxDays?: number };
  readonly BAD_CODE: NoDetail;
  readonly TOO_MANY_LINK_CODES: LimitFacts;
  readonly LINK_ATTEMPTS: LimitFacts;
  readonly OWN_CODE: NoDetail;
  readonly ALREADY_LINKED: NoDetail;
  readonly ALREADY_IN_COMMUNITY: NameFacts;
  readonly SPACE_HAS_HISTORY: NoDetail;
  readonly BAD_BUDGET: NoDetail;
  readonly BAD_CAP: NoDetail;
  readonly WINDOW_NOT_ENDED: NoDetail;
  readonly BUDGET_REQUIRED: NoDetail;
  readonly BAD_LEDGER_LINE: { readonly line?: number; readonly problem?: string };
  /** `problem` is the file system's error code (ENOENT, EACCES…). */
  readonly UNREADABLE_FILE: { readonly path: string; readonly problem: string };
  readonly EXPORT_IN_PROGRESS: NoDetail;
  readonly UNKNOWN_EXPORT: { readonly id: string };
  readonly EXPORT_NOT_READY: { readonly id: string };
  readonly NOT_IN_PRIVATE: NoDetail;
  readonly BAD_TOKEN_NAME: NoDetail;
  /** `scope` is the unknown scope as typed; absent when none was given. */
  readonly BAD_SCOPE: { readonly scope?: string; readonly known: string };
  readonly TOKEN_EXISTS: NameFacts;
  readonly TOO_MANY_TOKENS: LimitFacts;
  readonly UNKNOWN_TOKEN: NameFacts;
  readonly TOKEN_REVOKED: NameFacts;
  readonly UNAUTHENTICATED: NoDetail;
  readonly MISSING_SCOPE: { readonly scope: string };
  readonly BAD_REQUEST: { readonly problem?: string };
  readonly NOT_FOUND: NoDetail;
  readonly BODY_TOO_LARGE: LimitFacts;
  readonly IDEMPOTENCY_KEY_REUSED: NoDetail;
  readonly IDEMPOTENCY_IN_PROGRESS: NoDetail;
  readonly SIGN_IN_UNKNOWN: NoDetail;
  readonly SIGN_IN_EXPIRED: NoDetail;
  readonly SIGN_IN_USED: NoDetail;
  readonly NOT_SIGNED_IN: NoDetail;
  readonly SESSION_EXPIRED: NoDetail;
  readonly FORGED_FORM: NoDetail;
  readonly OTHER_COMMUNITY: NoDetail;
}

/** The code of every expected failure. */
export type RefusalCode = keyof RefusalDetails;

/** Codes whose facts are all optional, so the code alone is a whole refusal. */
export type BareRefusalCode = {
  [C in RefusalCode]: Record<never, never> extends RefusalDetails[C] ? C : never;
}[RefusalCode];

/** One refusal: its code and, typed by the code, the facts for the message. */
export type Refusal<C extends RefusalCode = RefusalCode> = {
  readonly [K in C]: Record<never, never> extends RefusalDetails[K]
    ? { readonly code: K; readonly detail?: RefusalDetails[K] }
    : { readonly code: K; readonly detail: RefusalDetails[K] };
}[C];
