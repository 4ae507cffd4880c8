// The folder rules of ARCHITECTURE.md ("Layers and folders"), checked by
// `npm run lint`. Type-only imports count everywhere (tsPreCompilationDeps),
// except where a rule says "at run time". Known violations owned by other
// changes are listed in .dependency-cruiser-known-violations.json; delete an
// entry once its cause is fixed.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "core-imports-only-core",
      comment: "src/core holds the rules as pure functions: nothing of the project outside core.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: "^src/", pathNot: "^src/core/" },
    },
    {
      name: "core-imports-no-library",
      comment:
        "src/core does no I/O and knows no framework: zod, cron-parser (pure computation, the parser BullMQ's schedulers run) and node:crypto are the only outside imports.",
      severity: "error",
      from: { path: "^src/core/" },
      to: {
        dependencyTypes: ["npm", "npm-dev", "npm-optional", "npm-peer", "npm-no-pkg", "npm-unknown"],
        pathNot: "^node_modules/(zod|cron-parser)/",
      },
    },
    {
      name: "core-imports-only-crypto-of-node",
      comment: "src/core reads no file, clock source or network: node:crypto (hashing the ledger) only.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { dependencyTypes: ["core"], pathNot: "^(node:)?crypto$" },
    },
    {
      name: "app-not-to-adapters",
      comment: "Use cases are called by the adapters, never the other way round.",
      severity: "error",
      from: { path: "^src/app/" },
      to: { path: "^src/(commands|platforms|jobs)/" },
    },
    {
      name: "commands-not-to-platforms",
      comment: "The catalog is platform-neutral; adapters derive their definitions from it.",
      severity: "error",
      from: { path: "^src/commands/" },
      to: { path: "^src/platforms/" },
    },
    {
      name: "jobs-not-to-platforms",
      comment: "Jobs post through the ChatPlatform port in src/ports, handed in by the composition root.",
      severity: "error",
      from: { path: "^src/jobs/" },
      to: { path: "^src/platforms/" },
    },
    {
      name: "jobs-not-to-database",
      comment:
        "Jobs read and write rows through use cases of src/app, never Prisma or the db folder (db/pools.ts, which only follows a pg pool's sockets so a stop can wait for them, and db/errors.ts, which only tells whether an error means the database is unreachable, excepted).",
      severity: "error",
      from: { path: "^src/jobs/" },
      to: {
        path: ["^src/(db|generated)/", "^node_modules/@prisma/"],
        pathNot: "^src/db/(pools|errors)\\.ts$",
      },
    },
    {
      name: "platforms-not-to-jobs",
      comment:
        "Background work reaches a platform as the BotJobs port (src/ports), handed in by the composition root.",
      severity: "error",
      from: { path: "^src/platforms/" },
      to: { path: "^src/jobs/" },
    },
    {
      name: "platforms-not-to-composition",
      comment:
        "Platforms are thin adapters: no database setup and no composition root (serve.ts, runtime.ts, console.ts, cli.ts).",
      severity: "error",
      from: { path: "^src/platforms/" },
      to: { path: ["^src/db/", "^src/(serve|runtime|console|cli)\\.ts$"] },
    },
    {
      name: "views-not-to-app-at-run-time",
      comment:
        "Views render what use cases return: they may name app's types, never call or read app at run time.",
      severity: "error",
      from: { path: "^src/views/" },
      to: { path: "^src/app/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "no-cycles",
      comment: "No import cycles, type-only imports included.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/generated/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
