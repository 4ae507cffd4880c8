import type { Tx } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { enqueueOutbox } from "./outbox.ts";

export interface AuditFacts {
  readonly communityId: number;
  readonly actorId: number | null;
  readonly action: string;
  readonly target?: string;
  readonly reason?: string;
  readonly details?: Prisma.InputJsonObject;
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
