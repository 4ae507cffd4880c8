import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as core from "../../src/core/index.ts";

const coreDir = join(dirname(fileURLToPath(import.meta.url)), "../../src/core");
const sources = readdirSync(coreDir).filter((f) => f.endsWith(".ts"));

describe("the core", () => {
  it("re-exports every module from its index", () => {
    const index = readFileSync(join(coreDir, "index.ts"), "utf8");
    for (const file of sources.filter((f) => f !== "index.ts")) expect(index).toContain(`from "./${file}"`);
    expect(core.splitByShares).toBeTypeOf("function");
    expect(core.GENESIS_HASH).toHaveLength(64);
  });

  // cron-parser is pure computation, the parser BullMQ's job schedulers run: a schedule the core accepts is one they take.
  it("imports nothing but node:crypto, zod, cron-parser and other core files", () => {
    for (const file of sources) {
      const text = readFileSync(join(coreDir, file), "utf8");
      const imports = [...text.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]);
      for (const spec of imports)
        expect(`${file}: ${spec}`).toMatch(/: (node:crypto|zod|cron-parser|\.\/[A-Za-z]+\.ts)$/);
    }
  });

  it("never reads the clock or the environment", () => {
    for (const file of sources) {
      const text = readFileSync(join(coreDir, file), "utf8");
      expect(text, file).not.toMatch(/Date\.now\(|new Date\(\)|process\.|Math\.random/);
    }
  });
});
