import type { z } from "zod";
import type { Actor, Deps } from "../app/deps.ts";
import type { PlatformChat, PlatformUser } from "../app/actors.ts";
import type { ChatOwner } from "../app/community.ts";
import type { Result } from "../core/result.ts";
import type { View } from "../views/view.ts";

/** Who may run a command. Moderator commands are checked again by every use case. */
export type Audience = "anyone" | "member" | "moderator";

/** How an option is typed, so each platform can offer the right control (Discord option types, autocomplete). */
export type OptionKind =
  | "contribution"
  | "member"
  | "category"
  | "window"
  | "season"
  | "choice"
  | "integer"
  | "points"
  | "text"
  | "word"
  | "date"
  | "links"
  | "credits"
  | "flag";

export interface OptionSpec {
  readonly name: string;
  readonly description: string;
  readonly kind: OptionKind;
  readonly required: boolean;
  readonly choices?: readonly string[];
}

/** Work a command hands to the background workers, which may run in another process. */
export interface CommandJobs {
  /** Queues an export, or refuses while the member has one queued or running (EXPORT_IN_PROGRESS). */
  requestExport(request: BackgroundExport): Promise<Result<{ readonly id: string | undefined }>>;
  /** Deletes the community's export files (they may name a member just erased). */
  expireExports(communityId: number): Promise<void>;
  /** Starts the community's background ledger verification, or says how far the running one is. */
  requestLedgerVerify(request: {
    readonly communityId: number;
    readonly memberId: number;
  }): Promise<
    | { readonly state: "started"; readonly id: string }
    | { readonly state: "running"; readonly percent: number }
  >;
}

export interface BackgroundExport {
  readonly communityId: number;
  readonly memberId: number;
  /** As parseWindow reads it (windowText). */
  readonly window: string;
  readonly format: "csv" | "json";
  readonly budget?: number;
  readonly cap?: number;
  readonly record?: boolean;
}

/** Everything a handler may use: the use-case dependencies and who is asking, where. */
export interface CommandContext {
  readonly deps: Deps;
  readonly actor: Actor;
  readonly chat: PlatformChat;
  readonly user: PlatformUser;
  /** Absent where no queue is reachable; commands then do the work inline. */
  readonly jobs?: CommandJobs;
  /** Which server owns a channel named in a chat setting (see ChatOwner); absent on Telegram and the console. */
  readonly chatOwner?: ChatOwner;
}

/** One entry of the catalog: a command or one subcommand of it. */
export interface CommandSpec<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly sub?: string;
  readonly description: string;
  readonly audience: Audience;
  /** Text syntax shown in /help and in usage refusals. */
  readonly usage: string;
  readonly options: readonly OptionSpec[];
  readonly input: S;
  /**
   * Turns text arguments into the raw input object (before `input` validates it).
   * Commands without one map arguments to options by position, the last `text`
   * option taking the rest of the line.
   */
  readonly parseText?: (args: readonly string[]) => Record<string, unknown> | null;
  readonly run: (ctx: CommandContext, input: z.infer<S>) => Promise<View>;
}

/** A catalog entry with its input type erased, as adapters hold them. */
export type AnyCommandSpec = CommandSpec<z.ZodType>;

/** Keeps each handler's input typed from its schema while the catalog holds them in one list. */
export function defineCommand<S extends z.ZodType>(spec: CommandSpec<S>): AnyCommandSpec {
  return spec as unknown as AnyCommandSpec;
}
