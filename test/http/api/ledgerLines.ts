// Checks ledger JSON lines the way `cairn ledger verify FILE` does.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { verifyLedgerFile } from "../../../src/app/ledgerAudit.ts";

export async function verifyLedgerLines(lines: readonly string[]): Promise<unknown> {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-ledger-"));
  try {
    const file = path.join(dir, "ledger.jsonl");
    await writeFile(file, `${lines.join("\n")}\n`);
    const result = await verifyLedgerFile(file);
    return result.ok ? result.value : result.error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
