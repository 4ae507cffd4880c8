import { isDatabaseUnavailable } from "../db/errors.ts";
import type { z } from "zod";
import { resolveActor, type PlatformChat, type PlatformUser } from "../app/actors.ts";
import type { Actor, Deps } from "../app/deps.ts";
import { parseCommandLine, type CommandLine } from "../core/commandLine.ts";
import { commandAllowance, type CommandWindow } from "../core/rateLimit.ts";
import { withoutInvisibleCharacters } from "../core/text.ts";
import type { Refusal } from "../core/result.ts";
import { isRefusalCode, refusalText } from "../views/refusals.ts";
import { refusalView, type View } from "../views/view.ts";
import type { ChatOwner } from "../app/community.ts";
import type { AnyCommandSpec, CommandContext, CommandJobs } from "./types.ts";

/** Where a command came from, before the member behind it is known. */
export interface Invocation {
  readonly deps: Deps;
  readonly chat: PlatformChat;
  readonly user: PlatformUser;
  /** Called with anything unexpected; the caller sees a one-line apology, never the error. */
  readonly onError?: (error: unknown, command: string) => void;
  /** Told how long each command took to answer (/metrics' command latency). */
  readonly observe?: (command: string, seconds: number) => void;
  /** The background queues, for commands that start jobs (large exports). */
  readonly jobs?: CommandJobs;
  /** Which server owns a channel named in a chat setting, where the platform has servers. */
  readonly chatOwner?: ChatOwner;
  /**
   * Rewrites a typed command's raw options before they are validated: a
   * platform that can tell who a typed @name is puts their account in instead.
   */
  readonly resolveArguments?: (spec: AnyCommandSpec, raw: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Each account's command window, kept by whoever builds the invocations (a
   * bounded ExpiringMap); without it commands are not rate limited.
   */
  readonly commandWindows?: CommandWindows;
}

/** Where a dispatcher keeps each account's command window, keyed `PLATFORM:userId`. */
export interface CommandWindows {
  get(key: string): CommandWindow | undefined;
  set(key: string, window: CommandWindow): void;
}

/**
 * Counts the command against its sender's window (by the deps' clock): run it,
 * refuse it once with RATE_LIMITED, or drop it without an answer.
 */
function admit(invocation: Invocation): "run" | "refuse" | "silent" {
  const windows = invocation.commandWindows;
  if (windows === undefined) return "run";
  const key = `${invocation.user.platform}:${invocation.user.userId}`;
  const next = commandAllowance(windows.get(key), invocation.deps.clock.now().getTime());
  windows.set(key, next.window);
  return next.verdict;
}

/** The catalog entry for `name` and, for commands with subcommands, `sub`. */
export function findCommand(
  catalog: readonly AnyCommandSpec[],
  name: string,
  sub?: string,
): AnyCommandSpec | undefined {
  return catalog.find((c) => c.name === name && (c.sub === undefined || c.sub === sub?.toLowerCase()));
}

export function hasSubcommands(catalog: readonly AnyCommandSpec[], name: string): boolean {
  return catalog.some((c) => c.name === name && c.sub !== undefined);
}

/**
 * Runs one command given as text (console and Telegram): parse, validate,
 * resolve the member, check the audience, run. Null when nothing is to be
 * said: the command is another bot's, or its sender is past the rate limit's
 * one refusal.
 */
export async function runTextCommand(
  catalog: readonly AnyCommandSpec[],
  invocation: Invocation,
  text: string,
  botUsername?: string,
): Promise<View | null> {
  const line = parseCommandLine(text, botUsername);
  if (!line.ok && line.error.code === "OTHER_BOT") return null;
  return whenAdmitted(invocation, () => {
    if (!line.ok) return Promise.resolve(refusalView(refusalText(line.error)));
    return textCommand(catalog, invocation, line.value);
  });
}

async function textCommand(
  catalog: readonly AnyCommandSpec[],
  invocation: Invocation,
  { name, args }: CommandLine,
): Promise<View> {
  const subcommands = hasSubcommands(catalog, name);
  const spec = subcommands ? findCommand(catalog, name, args[0]) : findCommand(catalog, name);
  if (spec === undefined) {
    if (subcommands) {
      const subs = catalog.filter((c) => c.name === name).map((c) => c.sub);
      return refusalView(refusalText({ code: "USAGE", detail: { usage: `/${name} ${subs.join("|")}` } }));
    }
    return refusalView(refusalText({ code: "UNKNOWN_COMMAND", detail: { command: `/${name}` } }));
  }
  const raw = (spec.parseText ?? positionalArguments(spec))(subcommands ? args.slice(1) : args);
  if (raw === null) return usage(spec);
  return runAdmitted(spec, invocation, invocation.resolveArguments?.(spec, raw) ?? raw);
}

/**
 * Runs a catalog entry with raw option values (text tokens or a platform's
 * typed options: a slash command, a form, a button press), counted against
 * its sender's command rate like a typed command. Null when the sender is
 * past the rate limit's one refusal: the adapter says nothing (or, where the
 * platform needs an acknowledgement, acknowledges with no message).
 */
export async function runCommand(
  spec: AnyCommandSpec,
  invocation: Invocation,
  raw: Record<string, unknown>,
): Promise<View | null> {
  return whenAdmitted(invocation, () => runAdmitted(spec, invocation, raw));
}

/**
 * `work`'s view when the sender's window admits it; the first over gets one
 * refusal, the rest null. For an action outside the catalog that is as
 * costly as a command (a button that makes the bot post).
 */
export async function whenAdmitted(invocation: Invocation, work: () => Promise<View>): Promise<View | null> {
  const verdict = admit(invocation);
  if (verdict === "silent") return null;
  if (verdict === "refuse") return refusalView(refusalText({ code: "RATE_LIMITED" }));
  return work();
}

async function runAdmitted(
  spec: AnyCommandSpec,
  invocation: Invocation,
  raw: Record<string, unknown>,
): Promise<View> {
  const started = performance.now();
  try {
    return await answer(spec, invocation, raw);
  } finally {
    invocation.observe?.(commandName(spec), (performance.now() - started) / 1000);
  }
}

async function answer(
  spec: AnyCommandSpec,
  invocation: Invocation,
  raw: Record<string, unknown>,
): Promise<View> {
  const parsed = spec.input.safeParse(withoutInvisibleCharacters(raw));
  if (!parsed.success) return invalidInput(spec, parsed.error);
  return asMember(invocation, commandName(spec), (actor, cleaned) => {
    if (spec.audience === "moderator" && !actor.isModerator)
      return Promise.resolve(refusalView(refusalText({ code: "NOT_MODERATOR" })));
    return spec.run(contextFor(cleaned, actor), parsed.data);
  });
}

/**
 * Does `work` as the member behind the invocation, resolved, refused and
 * guarded as a command is (`name` names it in error reports): for a button
 * whose first step is not a command yet, such as the needs-info prompt.
 */
export async function asMember(
  given: Invocation,
  name: string,
  work: (actor: Actor, invocation: Invocation) => Promise<View>,
): Promise<View> {
  // Names as typed may hold a NUL or an escape sequence: gone before anything reads them.
  const invocation = { ...given, user: withoutInvisibleCharacters(given.user) };
  try {
    const actor = await resolveActor(invocation.deps, invocation.chat, invocation.user);
    if (!actor.ok) return refusalView(refusalText(actor.error));
    return await work(actor.value, invocation);
  } catch (error) {
    if (isDatabaseUnavailable(error)) return refusalView(refusalText({ code: "DATABASE_UNAVAILABLE" }));
    invocation.onError?.(error, name);
    return refusalView("Something went wrong on our side; nothing was changed. Please try again.");
  }
}

function contextFor(invocation: Invocation, actor: Actor): CommandContext {
  return {
    deps: invocation.deps,
    actor,
    chat: invocation.chat,
    user: invocation.user,
    ...(invocation.jobs === undefined ? {} : { jobs: invocation.jobs }),
    ...(invocation.chatOwner === undefined ? {} : { chatOwner: invocation.chatOwner }),
  };
}

export function commandName(spec: AnyCommandSpec): string {
  return spec.sub === undefined ? `/${spec.name}` : `/${spec.name} ${spec.sub}`;
}

function usage(spec: AnyCommandSpec): View {
  return refusalView(refusalText({ code: "USAGE", detail: { usage: spec.usage } }));
}

/** The first issue that names a refusal code speaks; anything else gets the command's usage. */
function invalidInput(spec: AnyCommandSpec, error: z.ZodError): View {
  const code = error.issues.map((issue) => issue.message).find(isRefusalCode);
  if (code === undefined || code === "USAGE") return usage(spec);
  // An option's check names only codes whose facts are optional (refusing in options.ts).
  return refusalView(refusalText({ code } as Refusal));
}

/**
 * Maps text arguments to options by position. The last option of kind `text`
 * takes the rest of the line; more arguments than options, or a missing
 * required one, is a usage error.
 */
export function positionalArguments(
  spec: AnyCommandSpec,
): (args: readonly string[]) => Record<string, unknown> | null {
  return (args) => {
    const raw: Record<string, unknown> = {};
    let i = 0;
    for (const [index, option] of spec.options.entries()) {
      const isLast = index === spec.options.length - 1;
      if (i >= args.length) {
        if (option.required) return null;
        continue;
      }
      if (option.kind === "text" && isLast) {
        raw[option.name] = args.slice(i).join(" ");
        i = args.length;
      } else {
        raw[option.name] = args[i];
        i += 1;
      }
    }
    return i < args.length ? null : raw;
  };
}
