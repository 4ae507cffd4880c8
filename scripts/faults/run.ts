// `npm run faults [-- --quick | --ci] [-- --only NAME]`: runs every fault
// scenario on real processes and prints one table row each; exits 1 when any
// row lost or doubled anything (or a scenario could not run). `--ci` runs the
// scenarios marked for CI at the smallest size, side by side (each has a world
// of its own: database, Redis, platform fakes and ports).
import { CI, FULL, QUICK, type Row, type Scenario, type Size } from "./scenario.ts";
import { scenarios } from "./scenarios.ts";
import { formatRow, HEADER } from "./table.ts";

type Outcome = { readonly row: Row } | { readonly failure: string };

async function runOne(scenario: Scenario, size: Size): Promise<Outcome> {
  try {
    return { row: await scenario.run(size) };
  } catch (error) {
    if (process.env["FAULTS_DEBUG"] !== undefined) console.error(error);
    return { failure: `| ${scenario.name} | did not run: ${String(error).split("\n")[0]} |` };
  }
}

/** Prints the outcome's row; true when it lost, doubled, did not recover or did not run. */
function report(outcome: Outcome): boolean {
  if ("failure" in outcome) {
    process.stdout.write(`${outcome.failure}\n`);
    return true;
  }
  process.stdout.write(`${formatRow(outcome.row)}\n`);
  const { lost, doubled, recoveryMs } = outcome.row;
  return lost > 0 || doubled > 0 || recoveryMs === null;
}

function choose(argv: readonly string[]): { chosen: Scenario[]; size: Size; together: boolean } {
  const ci = argv.includes("--ci");
  const quick = argv.includes("--quick");
  const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1] : undefined;
  const size = ci ? CI : quick ? QUICK : FULL;
  const chosen = scenarios.filter((s) =>
    only !== undefined ? s.name.includes(only) : ci ? s.ci === true : !quick || s.quick,
  );
  return { chosen, size, together: ci };
}

async function main(argv: readonly string[]): Promise<number> {
  const { chosen, size, together } = choose(argv);
  process.stdout.write(`${HEADER}\n`);
  let failed = false;
  if (together) {
    const outcomes = await Promise.all(chosen.map((scenario) => runOne(scenario, size)));
    for (const outcome of outcomes) failed = report(outcome) || failed;
  } else {
    for (const scenario of chosen) failed = report(await runOne(scenario, size)) || failed;
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
