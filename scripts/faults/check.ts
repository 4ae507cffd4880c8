// After a scenario: every ledger checked by the ledger verify use case (hash
// chain, head, balances recomputed from the entries), every contribution's
// ledger entries recomputed from its decision, credits and votes, every
// acknowledged operation found, every outbox row delivered, and every card
// posted to the platform once.
import { verifyCommunityLedger } from "../../src/app/ledgerAudit.ts";
import type { Deps } from "../../src/app/deps.ts";
import { verifierRewards } from "../../src/core/clawback.ts";
import { readCommunityConfig } from "../../src/core/config.ts";
import type { TelegramEmulator } from "../../test/platforms/telegram/emulator.ts";
import type { Workload } from "./workload.ts";

export interface Findings {
  decided: number;
  expectedEntries: number;
  foundEntries: number;
  lost: number;
  doubled: number;
  /** What was lost or doubled, one short phrase each. */
  readonly notes: string[];
}

export async function checkOutcome(
  deps: Deps,
  workload: Workload,
  emulator: TelegramEmulator | null,
): Promise<Findings> {
  const findings: Findings = {
    decided: 0,
    expectedEntries: 0,
    foundEntries: 0,
    lost: 0,
    doubled: 0,
    notes: [],
  };
  for (const community of workload.communities) {
    await checkCommunity(deps, community.communityId, findings);
    if (emulator !== null)
      await checkCards(deps, community.communityId, community.groupId, emulator, findings);
  }
  await checkAcknowledged(deps, workload, findings);
  return findings;
}

function note(findings: Findings, kind: "lost" | "doubled", count: number, what: string): void {
  if (count <= 0) return;
  findings[kind] += count;
  if (findings.notes.length < 8) findings.notes.push(`${kind} ${count}: ${what}`);
}

async function checkCommunity(deps: Deps, communityId: number, findings: Findings): Promise<void> {
  const verification = await verifyCommunityLedger(deps, communityId);
  if (!verification.chain.ok || !verification.headMatches)
    note(findings, "lost", 1, `community ${communityId}: ledger chain broken`);
  note(
    findings,
    "doubled",
    verification.mismatches,
    `community ${communityId}: balances disagree with the ledger`,
  );
  const community = await deps.db.community.findUniqueOrThrow({ where: { id: communityId } });
  const config = readCommunityConfig(community.config);
  const contributions = await deps.db.contribution.findMany({
    where: { communityId },
    include: { credits: true, votes: true, history: true },
  });
  const entries = await deps.db.ledgerEntry.groupBy({
    by: ["contributionId", "kind"],
    where: { communityId },
    _count: true,
  });
  const found = (id: number, kind: string) =>
    entries.find((e) => e.contributionId === id && e.kind === kind)?._count ?? 0;
  for (const c of contributions) {
    const decisions = c.history.filter((s) => s.fromStatus === "PENDING");
    if (c.status !== "PENDING") findings.decided += 1;
    note(findings, "doubled", decisions.length - 1, `#${c.number} decided ${decisions.length} times`);
    if (c.status !== "PENDING" && decisions.length === 0)
      note(findings, "lost", 1, `#${c.number} has no decision`);
    const awards = c.status === "VERIFIED" ? c.credits.length : 0;
    const byVotes = c.history.some(
      (s) => s.actorId === null && (s.toStatus === "VERIFIED" || s.toStatus === "REJECTED"),
    );
    const rewards = byVotes
      ? verifierRewards(
          c.votes.map((v) => v.voterId),
          config.verifierReward,
        ).length
      : 0;
    for (const [kind, expected] of [
      ["AWARD", awards],
      ["VERIFIER_REWARD", rewards],
    ] as const) {
      const actual = found(c.id, kind);
      findings.expectedEntries += expected;
      findings.foundEntries += actual;
      note(findings, "lost", expected - actual, `#${c.number} ${kind} entries missing`);
      note(findings, "doubled", actual - expected, `#${c.number} ${kind} entries extra`);
    }
  }
  const undelivered = await deps.db.outboxMessage.count({ where: { communityId, deliveredAt: null } });
  const left = await deps.db.outboxMessage.findMany({
    where: { communityId, deliveredAt: null },
    select: { id: true, kind: true, attempts: true },
    orderBy: { id: "asc" },
  });
  // Which rows, and whether a delivery had started (attempts), say where a loss came from.
  const rows = left.map((r) => `${r.id} ${r.kind} (${r.attempts} attempts)`).join(", ");
  note(findings, "lost", undelivered, `community ${communityId}: outbox rows never delivered: ${rows}`);
}

/** Each contribution's vote card reached the group as one message (later states are edits of it). */
async function checkCards(
  deps: Deps,
  communityId: number,
  groupId: number,
  emulator: TelegramEmulator,
  findings: Findings,
): Promise<void> {
  const contributions = await deps.db.contribution.findMany({ where: { communityId } });
  const posts = emulator
    .callsOf("sendMessage")
    .filter((call) => String(call.body["chat_id"]) === String(groupId))
    .map((call) => String(call.body["text"] ?? ""));
  for (const c of contributions) {
    const cards = posts.filter((text) => text.startsWith(`<b>#${c.number} ${c.title} `)).length;
    note(findings, "lost", cards === 0 ? 1 : 0, `#${c.number} card never posted`);
    note(findings, "doubled", cards - 1, `#${c.number} card posted ${cards} times`);
  }
}

async function checkAcknowledged(deps: Deps, workload: Workload, findings: Findings): Promise<void> {
  const ids = workload.communities.map((c) => c.communityId);
  const rows = await deps.db.contribution.findMany({
    where: { communityId: { in: ids } },
    include: { votes: true },
  });
  const titles = new Map<string, number>();
  for (const row of rows) titles.set(row.title, (titles.get(row.title) ?? 0) + 1);
  for (const [title, count] of titles)
    note(findings, "doubled", count - 1, `"${title}" logged ${count} times`);
  for (const acked of workload.contributions)
    note(findings, "lost", titles.has(acked.title) ? 0 : 1, `acknowledged "${acked.title}" missing`);
  for (const vote of workload.votes) {
    const row = rows.find((r) => r.communityId === vote.communityId && r.number === vote.number);
    const stored = row?.votes.find((v) => v.voterId === vote.voterId);
    const same = stored !== undefined && stored.choice === (vote.choice === "approve" ? "APPROVE" : "REJECT");
    note(findings, "lost", same ? 0 : 1, `acknowledged vote on #${vote.number} missing`);
  }
}
