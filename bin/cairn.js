#!/usr/bin/env node
// Runs Cairn's TypeScript entry point through tsx, so `npx cairn …` works without a build step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
