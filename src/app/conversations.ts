// The conversation store on the ledger's PostgreSQL: one row per waiting
// conversation, changed only by a statement that names the version it read,
// so two bot processes can never both move one conversation on.
import { Prisma } from "../generated/prisma/client.ts";
import type {
  Conversation,
  ConversationKind,
  ConversationRef,
  ConversationStore,
} from "../ports/conversations.ts";
import type { Deps } from "./deps.ts";

/**
 * Expired rows stay this long before they are purged, so a process that
 * starts after an outage can still tell people their dialogue expired.
 */
export const CONVERSATION_PURGE_AFTER_MS = 60 * 60_000;

type Row = { key: string; state: Prisma.JsonValue; version: number; expiresAt: Date };

export function databaseConversations(deps: Deps): ConversationStore {
  const { db, clock } = deps;
  const expiry = (kind: ConversationKind<unknown>): Date => new Date(clock.now().getTime() + kind.ttlMs);
  const id = (kind: ConversationKind<unknown>, key: string) => ({
    platform_kind_key: { platform: kind.platform, kind: kind.name, key },
  });

  return {
    async open(kind, key, state) {
      await db.conversation.deleteMany({
        where: { expiresAt: { lt: new Date(clock.now().getTime() - CONVERSATION_PURGE_AFTER_MS) } },
      });
      const json = asJson(state);
      const expiresAt = expiry(kind);
      const row = await db.conversation.upsert({
        where: id(kind, key),
        create: { platform: kind.platform, kind: kind.name, key, state: json, expiresAt },
        update: { state: json, expiresAt, version: { increment: 1 } },
        select: { version: true },
      });
      return { key, state, version: row.version, expiresAt };
    },

    async find(kind, key) {
      const row = await db.conversation.findUnique({ where: id(kind, key) });
      if (row === null || row.expiresAt <= clock.now()) return null;
      const conversation = readRow(kind, row);
      // A row this version of Cairn cannot read (written by an older one) is no conversation.
      if (conversation === null) await this.close(kind, row);
      return conversation;
    },

    async advance(kind, from, state) {
      const expiresAt = expiry(kind);
      const moved = await db.conversation.updateMany({
        where: {
          platform: kind.platform,
          kind: kind.name,
          key: from.key,
          version: from.version,
          expiresAt: { gt: clock.now() },
        },
        data: { state: asJson(state), expiresAt, version: { increment: 1 } },
      });
      return moved.count === 1 ? { key: from.key, state, version: from.version + 1, expiresAt } : null;
    },

    async close(kind, at: ConversationRef) {
      const closed = await db.conversation.deleteMany({
        where: { platform: kind.platform, kind: kind.name, key: at.key, version: at.version },
      });
      return closed.count === 1;
    },

    async held(kind) {
      const rows = await db.conversation.findMany({ where: { platform: kind.platform, kind: kind.name } });
      return rows.flatMap((row) => {
        const conversation = readRow(kind, row);
        return conversation === null ? [] : [conversation];
      });
    },
  };
}

function readRow<S>(kind: ConversationKind<S>, row: Row): Conversation<S> | null {
  const state = kind.schema.safeParse(row.state);
  return state.success
    ? { key: row.key, state: state.data, version: row.version, expiresAt: row.expiresAt }
    : null;
}

/** The state as plain JSON (what the column holds; undefined properties are left out). */
function asJson(state: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(state)) as Prisma.InputJsonValue;
}
