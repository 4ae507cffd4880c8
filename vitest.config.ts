import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/globalSetup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Forks, not threads: Prisma's wasm query compiler, embedded PostgreSQL and
    // pg pools are process-wide; two workers for the two cores of CI machines.
    pool: "forks",
    maxWorkers: 2,
  },
});
