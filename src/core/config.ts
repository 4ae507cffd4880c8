import { z } from "zod";
import { parsePoints } from "./commandLine.ts";
import { isSchedule } from "./schedule.ts";
import { formatPoints } from "./points.ts";
import { ok, refuse, type Result } from "./result.ts";

/** Whether the runtime knows `name` as an IANA time zone. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const chatRef = z.string().trim().min(1).max(100).nullable().default(null);
const multiplierPct = z.number().int().min(0).max(1000);

/** A community's settings as stored in its JSON column; every field has a default. */
/** Abuse limits: at most this many members credited on one contribution (the submitter included). */
export const MAX_CREDITED_MEMBERS = 10;
/** Abuse limits: at most this many unanswered questions one voter may have open on one contribution. */
export const MAX_OPEN_QUESTIONS_PER_VOTER = 3;

/** Abuse limits: at most this many unexpired, unused identity link codes per member. */
export const MAX_OPEN_LINK_CODES = 3;
/** Abuse limits: at most this many `/link CODE` attempts per member in LINK_ATTEMPT_WINDOW_MS. */
export const MAX_LINK_ATTEMPTS = 5;
export const LINK_ATTEMPT_WINDOW_MS = 10 * 60_000;

export const communityConfigSchema = z.object({
  quorum: z.number().int().min(1).max(1000).default(3),
  approvalRatio: z.number().gt(0).max(1).default(0.66),
  voteWindowHours: z.number().int().min(1).max(720).default(72),
  minVoterAgeDays: z.number().int().min(0).max(3650).default(0),
  maxSubmissionsPerDay: z.number().int().min(1).max(1000).default(10),
  /** The daily limit of agent members (an agent's own, instead of maxSubmissionsPerDay). */
  maxAgentSubmissionsPerDay: z.number().int().min(1).max(1000).default(20),
  /** Agents may vote; even then only people's votes count towards quorum and ratio. */
  agentVoting: z.boolean().default(false),
  /** Hundredths of a point earned by each voter on a contribution decided by vote. */
  verifierReward: z.number().int().min(0).max(10_000).default(25),
  /** Percent multipliers for median impact ratings 1..5. */
  impactMultipliers: z
    .tuple([multiplierPct, multiplierPct, multiplierPct, multiplierPct, multiplierPct])
    .default((): [number, number, number, number, number] => [50, 75, 100, 150, 200]),
  // At least a week: the accumulator grows as 2^(t/H), which a double holds for about 1000·H days.
  decayHalfLifeDays: z.number().int().min(7).max(3650).default(90),
  blindVoting: z.boolean().default(false),
  /** The community's pages on the web (board, profiles, contributions, ledger explorer); off until a moderator turns them on. */
  publicPages: z.boolean().default(false),
  voterRole: chatRef,
  moderatorRole: chatRef,
  verificationChat: chatRef,
  leaderboardChat: chatRef,
  modLogChat: chatRef,
  leaderboardCron: z.string().refine(isSchedule).default("0 9 * * 1"),
  timezone: z.string().refine(isTimeZone).default("UTC"),
  leaderboardPosts: z.boolean().default(true),
  digestCron: z.string().refine(isSchedule).default("0 9 * * *"),
  leaderboardSize: z.number().int().min(1).max(25).default(10),
});

export type CommunityConfig = z.infer<typeof communityConfigSchema>;
export type CommunityConfigKey = keyof CommunityConfig;

type FieldSchema = (typeof communityConfigSchema.shape)[CommunityConfigKey];

/** Every configuration key, in the order `/config show` lists them. */
export const configKeys: readonly CommunityConfigKey[] = Object.keys(
  communityConfigSchema.shape,
) as CommunityConfigKey[];

/** The configuration of a community nobody has configured yet. */
export function defaultCommunityConfig(): CommunityConfig {
  return communityConfigSchema.parse({});
}

/**
 * Configurations already read, by their stored JSON text. The core keeps none
 * of its own: the composition root hands a bounded cache down (deps.caches).
 */
export interface ConfigReads {
  get(text: string): CommunityConfig | undefined;
  set(text: string, config: CommunityConfig): void;
}

/**
 * Reads a stored configuration. Each field that is missing or no longer valid falls
 * back to its default on its own, so one bad value (or a field from an older
 * version) never takes the rest of the community's settings with it. Never throws.
 * With `reads`, each stored text is validated once: every vote reads its
 * community's config, and validating it (time zone, cron) costs far more than
 * the rest of the vote's own work. The result is frozen: it may be shared.
 */
export function readCommunityConfig(json: unknown, reads?: ConfigReads): CommunityConfig {
  if (reads === undefined) return parseStoredConfig(json);
  const text = JSON.stringify(json ?? null);
  const known = reads.get(text);
  if (known !== undefined) return known;
  const config = parseStoredConfig(json);
  reads.set(text, config);
  return config;
}

function parseStoredConfig(json: unknown): CommunityConfig {
  const stored: Record<string, unknown> = isRecord(json) ? json : {};
  const read: Record<string, unknown> = {};
  for (const key of configKeys) {
    const field: FieldSchema = communityConfigSchema.shape[key];
    const parsed = field.safeParse(stored[key]);
    const value: unknown = parsed.success ? parsed.data : field.parse(undefined);
    read[key] = Array.isArray(value) ? Object.freeze(value) : value;
  }
  return Object.freeze(read) as CommunityConfig;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

type ValueKind = "count" | "ratio" | "points" | "multipliers" | "switch" | "chatRef" | "cron" | "timezone";

/** How `/config set` reads each key, and what it says when the text does not fit. */
const CRON_EXPECTED = "a cron schedule at most once a minute, like 0 9 * * 1, 0 9 ? * MON#1 or @weekly";

const VALUE_KINDS: Record<CommunityConfigKey, { kind: ValueKind; expected: string }> = {
  quorum: { kind: "count", expected: "a whole number of votes from 1 to 1000" },
  approvalRatio: { kind: "ratio", expected: "a ratio above 0 and at most 1, like 0.66 or 66%" },
  voteWindowHours: { kind: "count", expected: "a whole number of hours from 1 to 720" },
  minVoterAgeDays: { kind: "count", expected: "a whole number of days from 0 to 3650" },
  maxSubmissionsPerDay: { kind: "count", expected: "a whole number from 1 to 1000" },
  maxAgentSubmissionsPerDay: { kind: "count", expected: "a whole number from 1 to 1000" },
  agentVoting: { kind: "switch", expected: "on or off" },
  verifierReward: { kind: "points", expected: "points from 0 to 100 with at most 2 decimals, like 0.25" },
  impactMultipliers: {
    kind: "multipliers",
    expected: "five whole percentages from 0 to 1000, like 50,75,100,150,200",
  },
  decayHalfLifeDays: { kind: "count", expected: "a whole number of days from 7 to 3650" },
  blindVoting: { kind: "switch", expected: "on or off" },
  publicPages: { kind: "switch", expected: "on or off" },
  voterRole: { kind: "chatRef", expected: "a role, or none" },
  moderatorRole: { kind: "chatRef", expected: "a role, or none" },
  verificationChat: { kind: "chatRef", expected: "a chat, or none" },
  leaderboardChat: { kind: "chatRef", expected: "a chat, or none" },
  modLogChat: { kind: "chatRef", expected: "a chat, or none" },
  leaderboardCron: { kind: "cron", expected: CRON_EXPECTED },
  timezone: { kind: "timezone", expected: "an IANA time zone, like Europe/Berlin or UTC" },
  leaderboardPosts: { kind: "switch", expected: "on or off" },
  digestCron: { kind: "cron", expected: CRON_EXPECTED },
  leaderboardSize: { kind: "count", expected: "a whole number of rows from 1 to 25" },
};

const NOT_A_VALUE = Symbol("not a value");

/** Reads the text a moderator typed into the value's stored type, before range checks. */
function readValueText(kind: ValueKind, raw: string): unknown {
  const text = raw.trim();
  const lower = text.toLowerCase();
  switch (kind) {
    case "count":
      return /^[+-]?\d{1,9}$/.test(text) ? Number(text) : NOT_A_VALUE;
    case "ratio":
      return readRatio(text);
    case "points": {
      const points = parsePoints(text);
      return points.ok ? points.value : NOT_A_VALUE;
    }
    case "multipliers": {
      const parts = text.split(/\s*,\s*|\s+/);
      return parts.every((part) => /^\d{1,4}$/.test(part)) ? parts.map(Number) : NOT_A_VALUE;
    }
    case "switch":
      return lower === "true" || lower === "on"
        ? true
        : lower === "false" || lower === "off"
          ? false
          : NOT_A_VALUE;
    case "chatRef":
      return lower === "none" || lower === "off" ? null : text;
    case "cron":
      return text.split(/\s+/).join(" ");
    case "timezone":
      return lower === "utc" ? "UTC" : text;
  }
}

function readRatio(text: string): number | typeof NOT_A_VALUE {
  const percent = /^(\d{1,3}(?:\.\d{1,2})?)\s*%$/.exec(text);
  if (percent !== null) return Number(percent[1]) / 100;
  return /^\d?\.\d{1,4}$|^[01]$/.test(text) ? Number(text) : NOT_A_VALUE;
}

/** Finds a key the way people type it: any case, with or without `-`/`_`. */
function findConfigKey(key: string): CommunityConfigKey | undefined {
  const wanted = key.trim().replace(/[-_]/g, "").toLowerCase();
  return configKeys.find((candidate) => candidate.toLowerCase() === wanted);
}

/**
 * Applies `/config set <key> <value>`: reads the typed text for that key and
 * returns the new configuration, or a refusal naming the key and what it expects.
 * Nullable settings are cleared with `none` or `off`.
 */
export function setConfigValue(
  config: CommunityConfig,
  key: string,
  raw: string,
): Result<CommunityConfig, "UNKNOWN_CONFIG_KEY" | "INVALID_CONFIG_VALUE"> {
  const configKey = findConfigKey(key);
  if (configKey === undefined) return refuse("UNKNOWN_CONFIG_KEY", { key, expected: configKeys.join(", ") });
  const { kind, expected } = VALUE_KINDS[configKey];
  const value = readValueText(kind, raw);
  const parsed = value === NOT_A_VALUE ? null : communityConfigSchema.shape[configKey].safeParse(value);
  if (parsed === null || !parsed.success) return refuse("INVALID_CONFIG_VALUE", { key: configKey, expected });
  return ok({ ...config, [configKey]: parsed.data });
}

/** The schedule `key` names (leaderboardCron, digestCron) in `config`; null for any other key. */
export function scheduleSetting(config: CommunityConfig, key: string): string | null {
  const configKey = findConfigKey(key);
  if (configKey === undefined || VALUE_KINDS[configKey].kind !== "cron") return null;
  const value = config[configKey];
  return typeof value === "string" ? value : null;
}

/** The settings that name a place messages are posted to. */
const CHAT_SETTINGS: ReadonlySet<CommunityConfigKey> = new Set([
  "verificationChat",
  "leaderboardChat",
  "modLogChat",
]);

/**
 * The chat reference `/config set <key> <value>` would store when `key` is a
 * chat setting (verificationChat, leaderboardChat, modLogChat); `null` for any
 * other key, an unknown one, or a chat setting being cleared.
 */
export function chatSettingValue(key: string, raw: string): string | null {
  const configKey = findConfigKey(key);
  if (configKey === undefined || !CHAT_SETTINGS.has(configKey)) return null;
  const parsed = communityConfigSchema.shape[configKey].safeParse(readValueText("chatRef", raw));
  return parsed.success && typeof parsed.data === "string" ? parsed.data : null;
}

/** Each setting as `[key, text]` for `/config show`, in the words `/config set` accepts. */
export function describeConfig(config: CommunityConfig): Array<[string, string]> {
  return configKeys.map((key) => [key, describeValue(VALUE_KINDS[key].kind, config[key])]);
}

function describeValue(kind: ValueKind, value: CommunityConfig[CommunityConfigKey]): string {
  if (value === null) return "none";
  if (typeof value === "boolean") return value ? "on" : "off";
  if (Array.isArray(value)) return value.join(",");
  if (kind === "points" && typeof value === "number") return formatPoints(value);
  return String(value);
}
