// `npm run faults [-- --quick] [-- --only NAME]`: runs every fault scenario on
// real processes and prints one table row each; exits 1 when any row lost or
// doubled anything (or a scenario could not run).
import { FULL, QUICK, type Row } from "./scenario.ts";
import { scenarios } from "./scenarios.ts";
import { formatRow, HEADER } from "./table.ts";

async function main(argv: readonly string[]): Promise<number> {
  const quick = argv.includes("--quick");
  const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1] : undefined;
  const size = quick ? QUICK : FULL;
  const chosen = scenarios.filter((s) => (only === undefined ? !quick || s.quick : s.name.includes(only)));
  process.stdout.write(`${HEADER}\n`);
  let failed = false;
  for (const scenario of chosen) {
    let row: Row;
    try {
      row = await scenario.run(size);
    } catch (error) {
      failed = true;
      process.stdout.write(`| ${scenario.name} | did not run: ${String(error).split("\n")[0]} |\n`);
      if (process.env["FAULTS_DEBUG"] !== undefined) console.error(error);
      continue;
    }
    if (row.lost > 0 || row.doubled > 0 || row.recoveryMs === null) failed = true;
    process.stdout.write(`${formatRow(row)}\n`);
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
