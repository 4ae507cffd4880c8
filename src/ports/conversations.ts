// What a bot waits for between two messages of one person — a guided
// /contribute, a needs-info question's text, a Discord form between the
// command and its submission — kept where every bot process sees it, so a
// dialogue may alternate between two processes behind one webhook, or span a
// restart. A version number guards every change: of two processes answering
// the same conversation at once, only one moves it on.
import type { z } from "zod";

export type ConversationPlatform = "DISCORD" | "TELEGRAM";

/** One sort of conversation: where it lives, how its state reads back, and how long it waits. */
export interface ConversationKind<S> {
  readonly platform: ConversationPlatform;
  readonly name: string;
  /** Checks the stored state on every read; a row that fails it counts as no conversation. */
  readonly schema: z.ZodType<S>;
  /** How long the conversation waits after it was opened or last moved on. */
  readonly ttlMs: number;
}

/** A conversation as read: its state and the version any change must start from. */
export interface Conversation<S> {
  readonly key: string;
  readonly state: S;
  readonly version: number;
  readonly expiresAt: Date;
}

/** The version of a conversation a change starts from. */
export type ConversationRef = Pick<Conversation<unknown>, "key" | "version">;

export interface ConversationStore {
  /** Starts the conversation under `key`, replacing any earlier one there. */
  open<S>(kind: ConversationKind<S>, key: string, state: S): Promise<Conversation<S>>;
  /** The live conversation under `key`; null when there is none, it expired, or its state no longer reads. */
  find<S>(kind: ConversationKind<S>, key: string): Promise<Conversation<S> | null>;
  /** Moves it on from the version read; null when another process moved it on or ended it first. */
  advance<S>(kind: ConversationKind<S>, from: ConversationRef, state: S): Promise<Conversation<S> | null>;
  /** Ends it at the version read; false when another process moved it on or ended it first. */
  close(kind: ConversationKind<unknown>, at: ConversationRef): Promise<boolean>;
  /**
   * Every conversation of a kind not yet purged, expired ones included: a
   * process that starts re-arms their timeouts, and tells the people whose
   * dialogue expired while no process was running.
   */
  held<S>(kind: ConversationKind<S>): Promise<Array<Conversation<S>>>;
}
