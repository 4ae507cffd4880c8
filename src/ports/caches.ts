// The bounded, expiring memories a process keeps to save work, as use cases
// and adapters see them. The composition root (src/caches.ts, made by serve
// and the console) owns the instances and hands them down in the deps, so two
// servers in one process never share one and nothing is kept at module level.
import type { ConfigReads } from "../core/config.ts";

/** A memory that may forget any entry at any time (beyond its size or age). */
export interface Memo<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): void;
  delete(key: K): boolean;
}

/** The active score's epoch and half-life last seen for a community: a guess a board statement checks. */
export interface ActiveHint {
  readonly epoch: number;
  readonly halfLifeDays: number;
}

/** Who a person is in a chat, as the platform last said (Telegram's getChatMember). */
export type ChatRole = "administrator" | "member" | "outsider";

export interface Caches {
  /** Stored community configurations, validated once per stored text. */
  readonly configs: ConfigReads;
  /** Per community id. */
  readonly activeHints: Memo<number, ActiveHint>;
  /** Per `chatId:userId`: a burst of commands costs one getChatMember. */
  readonly chatRoles: Memo<string, ChatRole>;
}
