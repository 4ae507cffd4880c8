// Flat config: ESLint and typescript-eslint recommendations. The folder rules
// (src/core stays pure, STYLE.md §1; the layers of ARCHITECTURE.md) are
// dependency-cruiser's: .dependency-cruiser.cjs, run by `npm run lint`.
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
);
