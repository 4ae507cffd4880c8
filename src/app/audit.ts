import type { Tx } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Deps } from "./deps.ts";
import { enqueueOutbox } from "./outbox.ts";

export interface AuditFacts {
  readonly communityId: number;
  readonly actorId: number | null;
  readonly action: string;
  readonly target?: string;
  readonly reason?: string;
  readonly details?: Prisma.InputJsonObject;
}

/**
 * An audit entry written with the change it records, in the change's own
 * statement and transaction (an API change under its token's name): no commit
 * of its own, and never one without the other.
 */
export interface ChangeAudit {
  readonly action: string;
  readonly details: Readonly<Record<string, string>>;
  /** The entry's target is this followed by the new contribution's number, once the change takes it. */
  readonly targetPrefix: string;
}

/** Records a moderator action and queues its post to the moderator log chat. */
export async function recordModeratorAction(tx: Tx, facts: AuditFacts, at: Date): Promise<number> {
  const row = await tx.auditLog.create({
    data: {
      communityId: facts.communityId,
      actorId: facts.actorId,
      action: facts.action,
      target: facts.target ?? "",
      reason: facts.reason ?? "",
      details: facts.details ?? {},
      at,
    },
  });
  await enqueueOutbox(tx, facts.communityId, { kind: "MOD_LOG", auditId: row.id });
  return row.id;
}

/** A moderator log line's parts: who did what to what, and why. */
export interface ModLogEntry {
  /** "Cairn" for the bot's own actions, "someone" for an actor erased since. */
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly reason: string;
}

/** The audit entry a MOD_LOG outbox row names, or null when it is gone. */
export async function readModLogEntry(deps: Deps, auditId: number): Promise<ModLogEntry | null> {
  const entry = await deps.db.auditLog.findUnique({ where: { id: auditId } });
  if (entry === null) return null;
  const actor =
    entry.actorId === null
      ? "Cairn"
      : ((await deps.db.member.findUnique({ where: { id: entry.actorId }, select: { displayName: true } }))
          ?.displayName ?? "someone");
  return { actor, action: entry.action, target: entry.target, reason: entry.reason };
}
