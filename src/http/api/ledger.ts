// /ledger: the hash-chained entries as JSON lines from a sequence number on
// (what `cairn ledger verify` reads), the head, and the chain check /ledger verify runs.
import { z } from "zod";
import { exportLedgerLines, readHead, verifyCommunityLedger } from "../../app/ledgerAudit.ts";
import { defineRoute } from "./route.ts";

export const NDJSON = "application/x-ndjson";

/** Streamed a line at a time, so a long ledger is never held in memory whole. */
async function* withLineBreaks(lines: AsyncIterable<string>): AsyncIterable<string> {
  for await (const line of lines) yield `${line}\n`;
}

export const ledgerLinesRoute = defineRoute({
  method: "GET",
  path: "/ledger",
  operationId: "getLedger",
  summary: "Ledger entries as JSON lines, in sequence order from `from` on, up to the head",
  scope: "read",
  query: z.object({
    from: z.coerce.number().int().min(1).optional().meta({ description: "First sequence number; default 1" }),
  }),
  responses: {
    200: { description: "One ledger entry per line, as cairn ledger verify reads them", contentType: NDJSON },
  },
  refusals: [],
  handle: async ({ deps, caller, query }) => {
    const lines = exportLedgerLines(deps.db, caller.actor.communityId, query.from ?? 1);
    return { ok: true, status: 200, body: withLineBreaks(lines), contentType: NDJSON };
  },
});

export const ledgerHeadRoute = defineRoute({
  method: "GET",
  path: "/ledger/head",
  operationId: "getLedgerHead",
  summary: "The last entry's sequence number and hash",
  scope: "read",
  responses: {
    200: {
      description: "The head; seq 0 and the genesis hash while empty",
      schema: z.object({ seq: z.number().int(), hash: z.string() }).meta({ id: "LedgerHead" }),
    },
  },
  refusals: [],
  handle: async ({ deps, caller }) => ({
    ok: true,
    status: 200,
    body: await readHead(deps.db, caller.actor.communityId),
  }),
});

export const ledgerVerifyRoute = defineRoute({
  method: "POST",
  path: "/ledger/verify",
  operationId: "verifyLedger",
  summary:
    "Check the stored hash chain, the head and every balance against the ledger (what /ledger verify does)",
  scope: "read",
  responses: {
    200: {
      description: "The verification",
      schema: z
        .object({
          intact: z.boolean(),
          entries: z.number().int(),
          brokenAtSeq: z.number().int().nullable(),
          reason: z.string().nullable(),
          headMatches: z.boolean(),
          balancesAgree: z.boolean(),
          mismatches: z.number().int(),
        })
        .meta({ id: "LedgerVerification" }),
    },
  },
  refusals: [],
  handle: async ({ deps, caller }) => {
    const check = await verifyCommunityLedger(deps, caller.actor.communityId);
    const chain = check.chain;
    return {
      ok: true,
      status: 200,
      body: {
        intact: chain.ok && check.headMatches && check.balancesAgree,
        entries: chain.count,
        brokenAtSeq: chain.ok ? null : chain.brokenAtSeq,
        reason: chain.ok ? null : chain.reason,
        headMatches: check.headMatches,
        balancesAgree: check.balancesAgree,
        mismatches: check.mismatches,
      },
    };
  },
});
