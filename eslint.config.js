// Flat config: ESLint and typescript-eslint recommendations, plus the rule that
// keeps src/core pure (no I/O, no framework, no database) — see STYLE.md §1.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const nodeGlobals = {
  process: "readonly",
  console: "readonly",
  require: "readonly",
  module: "writable",
  __dirname: "readonly",
  URL: "readonly",
};

const CORE_FORBIDDEN = [
  {
    group: ["@prisma/*", "**/generated/**"],
    message: "src/core is pure: no database access (pass data in from src/app).",
  },
  {
    group: ["discord.js", "discord.js/*", "telegraf", "telegraf/*"],
    message: "src/core knows no chat platform.",
  },
  { group: ["bullmq", "bullmq/*", "ioredis", "pg", "pg/*"], message: "src/core does no I/O." },
  { group: ["pino", "pino-*"], message: "src/core does not log; return values instead." },
  {
    group: [
      "node:fs",
      "node:fs/*",
      "fs",
      "fs/*",
      "node:net",
      "net",
      "node:http",
      "http",
      "node:https",
      "https",
    ],
    message: "src/core does no I/O.",
  },
];

export default tseslint.config(
  { ignores: ["src/generated/**", "node_modules/**", ".cairn/**", "coverage/**", ".scratch/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Chat text is sanitised by stripping control characters on purpose.
      "no-control-regex": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.cjs", "**/*.mjs"],
    languageOptions: { globals: nodeGlobals },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["src/core/**"],
    rules: { "no-restricted-imports": ["error", { patterns: CORE_FORBIDDEN }] },
  },
);
