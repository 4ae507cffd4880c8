import { randomBytes } from "node:crypto";
import { expiringMap, type ExpiringMap } from "../memory.ts";
import type { CreditToken } from "./input.ts";

/**
 * What /contribute's options said (category, co-authors) while its form is
 * open: the form's custom_id carries only a short random key to it. Discord
 * caps a custom_id at 100 characters, about three co-authors, and a
 * contribution may credit any number of members.
 *
 * Kept in this process: the form's submission reaches the process whose
 * shard received the command (the same server, the same shard). A restart
 * forgets open forms; their submission is refused with what was typed, so
 * nothing is lost but a click.
 */
export interface PendingContribution {
  /** Who opened the form: only they may submit it. */
  readonly userId: string;
  readonly category: string;
  readonly credits: readonly CreditToken[];
}

export interface PendingFormsOptions {
  /** Forms held at most; the oldest is forgotten beyond it. */
  readonly limit?: number;
  /** How long a form stays open. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/** Characters of a form key: 12 base64url characters, 72 random bits. */
export const FORM_KEY = /^[A-Za-z0-9_-]{12}$/;

const DEFAULT_LIMIT = 5_000;
const DEFAULT_TTL_MS = 60 * 60 * 1000;

export class PendingContributions {
  private readonly forms: ExpiringMap<string, PendingContribution>;

  constructor(options: PendingFormsOptions = {}) {
    this.forms = expiringMap(
      options.ttlMs ?? DEFAULT_TTL_MS,
      options.limit ?? DEFAULT_LIMIT,
      options.now ?? Date.now,
    );
  }

  get size(): number {
    return this.forms.size;
  }

  /** Holds a form and returns its key. */
  hold(form: PendingContribution): string {
    const key = randomBytes(9).toString("base64url");
    this.forms.set(key, form);
    return key;
  }

  /** The form under `key` if `userId` opened it and it is still open; it is taken (a form is sent once). */
  take(key: string, userId: string): PendingContribution | null {
    const form = this.forms.get(key);
    if (form === undefined || form.userId !== userId) return null;
    this.forms.delete(key);
    return form;
  }
}
