import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { ConversationKind, ConversationStore } from "../../ports/conversations.ts";
import type { CreditToken } from "./input.ts";

/**
 * What /contribute's options said (category, co-authors) while its form is
 * open: the form's custom_id carries only a short random key to it. Discord
 * caps a custom_id at 100 characters, about three co-authors, and a
 * contribution may credit any number of members.
 *
 * Kept in the shared conversation store: the form's submission may reach
 * another process than the command did (a restart meanwhile, or sharding
 * moved the server), and still finds what the options said.
 */
export interface PendingContribution {
  /** Who opened the form: only they may submit it. */
  readonly userId: string;
  readonly category: string;
  readonly credits: readonly CreditToken[];
}

/** Characters of a form key: 12 base64url characters, 72 random bits. */
export const FORM_KEY = /^[A-Za-z0-9_-]{12}$/;

/** How long a form stays open. */
export const FORM_TTL_MS = 60 * 60 * 1000;

const shareBp = z.number().int().nullable();
const creditTokenSchema: z.ZodType<CreditToken> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("user"), userId: z.string(), shareBp }),
  z.object({ kind: z.literal("name"), name: z.string(), shareBp }),
]);

const formKind: ConversationKind<PendingContribution> = {
  platform: "DISCORD",
  name: "form",
  schema: z.object({ userId: z.string(), category: z.string(), credits: z.array(creditTokenSchema) }),
  ttlMs: FORM_TTL_MS,
};

export class PendingContributions {
  constructor(private readonly store: ConversationStore) {}

  /** Holds a form and returns its key. */
  async hold(form: PendingContribution): Promise<string> {
    const key = randomBytes(9).toString("base64url");
    await this.store.open(formKind, key, form);
    return key;
  }

  /** The form under `key` if `userId` opened it and it is still open; it is taken (a form is sent once). */
  async take(key: string, userId: string): Promise<PendingContribution | null> {
    const form = await this.store.find(formKind, key);
    if (form === null || form.state.userId !== userId) return null;
    return (await this.store.close(formKind, form)) ? form.state : null;
  }
}
