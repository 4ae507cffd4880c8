import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as core from "../../src/core/index.ts";

const coreDir = join(dirname(fileURLToPath(import.meta.url)), "../../src/core");
const sources = readdirSync(coreDir).filter((f) => f.endsWith(".ts"));

// What the core may import is checked by `npm run lint` (.dependency-cruiser.cjs, test/layers.test.ts).
describe("the core", () => {
  it("re-exports every module from its index", () => {
    const index = readFileSync(join(coreDir, "index.ts"), "utf8");
    for (const file of sources.filter((f) => f !== "index.ts")) expect(index).toContain(`from "./${file}"`);
    expect(core.splitByShares).toBeTypeOf("function");
    expect(core.GENESIS_HASH).toHaveLength(64);
  });

  it("never reads the clock or the environment", () => {
    for (const file of sources) {
      const text = readFileSync(join(coreDir, file), "utf8");
      expect(text, file).not.toMatch(/Date\.now\(|new Date\(\)|process\.|Math\.random/);
    }
  });
});
