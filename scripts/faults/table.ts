// The table `npm run faults` prints: one Markdown row per scenario.
import type { Row } from "./scenario.ts";

export const HEADER = [
  "| scenario | attempted | acknowledged | decided | ledger entries expected / found | lost | doubled | recovery | notes |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
].join("\n");

export function formatRow(row: Row): string {
  const recovery = row.recoveryMs === null ? "did not recover" : `${(row.recoveryMs / 1000).toFixed(1)} s`;
  return `| ${row.scenario} | ${row.attempted} | ${row.acknowledged} | ${row.decided} | ${row.expectedEntries} / ${row.foundEntries} | ${row.lost} | ${row.doubled} | ${recovery} | ${row.notes.join("; ")} |`;
}
