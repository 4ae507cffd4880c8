import type { LedgerVerification } from "../app/ledgerAudit.ts";
import { privateView, type View } from "./view.ts";

/** The verdict of /ledger verify, whether it was reached while the moderator waited or in the background. */
export function ledgerVerificationView(check: LedgerVerification): View {
  const chain = check.chain.ok
    ? `Hash chain intact: ${check.chain.count} entries, head ${check.chain.headHash.slice(0, 16)}….`
    : `Hash chain BROKEN at entry ${check.chain.brokenAtSeq} (${check.chain.reason.toLowerCase().replaceAll("_", " ")}).`;
  const head = check.headMatches ? "" : " The recorded head does not match the last entry.";
  const balances = check.balancesAgree
    ? "Balances agree with the ledger."
    : `${check.mismatches} balance(s) disagree with the ledger.`;
  return privateView([`${chain}${head}`, balances], {
    tone: check.chain.ok && check.headMatches && check.balancesAgree ? "success" : "refusal",
  });
}

/** The answer when a large ledger's verification was started in the background. */
export function ledgerVerifyStartedView(entries: number): View {
  return privateView([
    `Verification of ${entries} ledger entries started; I'll send you the verdict privately.`,
  ]);
}

/** The answer while the community's background verification is still running. */
export function ledgerVerifyRunningView(percent: number): View {
  return privateView([
    `A verification of this ledger is already running (${percent}% done); its verdict goes privately to the moderator who asked.`,
  ]);
}
