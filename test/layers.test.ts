// The folder rules `npm run lint` checks (.dependency-cruiser.cjs), run by the
// real depcruise over a tiny source tree that breaks each rule once: every
// forbidden import is reported under its rule, and nothing allowed is.
import { execFile } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = path.resolve(import.meta.dirname, "..");
const depcruise = path.join(repo, "node_modules/.bin/depcruise");
const config = path.join(repo, ".dependency-cruiser.cjs");

/** Files of the fixture tree, each importing what its comment says. */
const files: Record<string, string> = {
  // core → app: forbidden
  "src/core/rule.ts": `import { logIt } from "../app/useCase.ts";\nexport const rule = () => logIt;\n`,
  // core → node:fs: forbidden; node:crypto is allowed
  "src/core/hash.ts": `import { readFileSync } from "node:fs";\nimport { createHash } from "node:crypto";\nexport const h = () => [readFileSync, createHash];\n`,
  // app → jobs: forbidden
  "src/app/useCase.ts": `import { job } from "../jobs/job.ts";\nexport const logIt = () => job;\nexport const PAGE = 10;\nexport type Page = number;\n`,
  // jobs → platforms: forbidden; jobs → ports: allowed
  "src/jobs/job.ts": `import { outgoing } from "../platforms/discord/outgoing.ts";\nimport type { Port } from "../ports/port.ts";\nexport const job = (p: Port) => [outgoing, p];\n`,
  // platforms → serve.ts and → db: forbidden
  "src/platforms/discord/outgoing.ts": `import { serve } from "../../serve.ts";\nimport { openDb } from "../../db/client.ts";\nexport const outgoing = () => [serve, openDb];\n`,
  // platforms → jobs: forbidden
  "src/platforms/telegram/adapter.ts": `import { job } from "../../jobs/job.ts";\nexport const adapter = () => job;\n`,
  // commands → platforms: forbidden
  "src/commands/catalog.ts": `import { adapter } from "../platforms/telegram/adapter.ts";\nexport const catalog = [adapter];\n`,
  // views → app at run time: forbidden
  "src/views/card.ts": `import { PAGE } from "../app/useCase.ts";\nexport const card = () => PAGE;\n`,
  // views → app for a type only: allowed
  "src/views/list.ts": `import type { Page } from "../app/useCase.ts";\nexport const list = (p: Page) => p;\n`,
  // a cycle made of type-only imports: forbidden
  "src/ports/port.ts": `import type { Other } from "./other.ts";\nexport interface Port { other?: Other }\n`,
  "src/ports/other.ts": `import type { Port } from "./port.ts";\nexport interface Other { port?: Port }\n`,
  "src/serve.ts": `export const serve = () => 0;\n`,
  "src/db/client.ts": `export const openDb = () => 0;\n`,
  "tsconfig.json": JSON.stringify({
    compilerOptions: {
      module: "NodeNext",
      moduleResolution: "NodeNext",
      allowImportingTsExtensions: true,
      noEmit: true,
    },
  }),
};

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

/** Runs depcruise with the project's rules in `dir`: its exit code and what it printed. */
function depcruiseIn(dir: string, outputType: "err" | "json"): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      depcruise,
      ["src", "--config", config, "--output-type", outputType],
      { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout });
      },
    );
  });
}

describe("the folder rules of npm run lint", () => {
  let dir = "";
  let lint: { code: number; stdout: string };
  let violations: Violation[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cairn-layers-"));
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    const [err, json] = await Promise.all([depcruiseIn(dir, "err"), depcruiseIn(dir, "json")]);
    lint = err;
    violations = (JSON.parse(json.stdout) as { summary: { violations: Violation[] } }).summary.violations;
  }, 60_000);

  afterAll(async () => {
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("fails the lint when a forbidden import is present", () => {
    expect(lint.code).not.toBe(0);
    expect(lint.stdout).toContain(
      "error jobs-not-to-platforms: src/jobs/job.ts → src/platforms/discord/outgoing.ts",
    );
  });

  it("reports each forbidden import under its rule, and no allowed one", () => {
    const reported = violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    expect(reported).toEqual(
      [
        "app-not-to-adapters: src/app/useCase.ts → src/jobs/job.ts",
        "commands-not-to-platforms: src/commands/catalog.ts → src/platforms/telegram/adapter.ts",
        "core-imports-only-core: src/core/rule.ts → src/app/useCase.ts",
        "core-imports-only-crypto-of-node: src/core/hash.ts → fs",
        "jobs-not-to-platforms: src/jobs/job.ts → src/platforms/discord/outgoing.ts",
        "no-cycles: src/ports/other.ts → src/ports/port.ts",
        "platforms-not-to-composition: src/platforms/discord/outgoing.ts → src/db/client.ts",
        "platforms-not-to-composition: src/platforms/discord/outgoing.ts → src/serve.ts",
        "platforms-not-to-jobs: src/platforms/telegram/adapter.ts → src/jobs/job.ts",
        "views-not-to-app-at-run-time: src/views/card.ts → src/app/useCase.ts",
      ].sort(),
    );
  });
});
