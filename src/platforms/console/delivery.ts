import type { Deps } from "../../app/deps.ts";
import type { OutboxPayload } from "../../app/outbox.ts";
import { composeOutboxMessages, type Audience } from "../../jobs/compose.ts";
import { renderPlainText } from "../../views/plainText.ts";

function channelName(audience: Audience, names: ReadonlyMap<number, string>): string {
  if (audience.kind === "member") return `to ${names.get(audience.memberId) ?? "member"}`;
  return audience.kind === "modlog" ? "#mod-log" : "#verification";
}

/**
 * Delivers what the outbox holds as printed text. Rows of one topic are
 * coalesced to the newest, as the delivery jobs do for busy vote cards.
 */
export async function deliverToConsole(deps: Deps): Promise<string[]> {
  const rows = await deps.db.outboxMessage.findMany({ where: { deliveredAt: null }, orderBy: { id: "asc" } });
  if (rows.length === 0) return [];
  const latestOfTopic = new Map(rows.map((row) => [row.topic, row.id]));
  const printed: string[] = [];
  for (const row of rows) {
    if (latestOfTopic.get(row.topic) !== row.id) continue;
    const messages = await composeOutboxMessages(deps, row.communityId, row.payload as unknown as OutboxPayload);
    const memberIds = messages.flatMap((m) => (m.audience.kind === "member" ? [m.audience.memberId] : []));
    const members = await deps.db.member.findMany({ where: { id: { in: memberIds } }, select: { id: true, displayName: true } });
    const names = new Map(members.map((m) => [m.id, m.displayName]));
    for (const message of messages) {
      const text = renderPlainText(message.view)
        .split("\n")
        .map((line) => `  ${line}`)
        .join("\n");
      printed.push(`[${channelName(message.audience, names)}]${message.replaces === null ? "" : " (card)"}\n${text}`);
    }
  }
  await deps.db.outboxMessage.updateMany({
    where: { id: { in: rows.map((row) => row.id) } },
    data: { deliveredAt: deps.clock.now() },
  });
  return printed;
}
