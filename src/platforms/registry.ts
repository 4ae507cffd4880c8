import type { Config } from "../config.ts";
import type { PlatformSet } from "../serve.ts";

/** The platforms whose tokens are configured, ready for `cairn start`, `cairn bot` and `cairn worker`. */
export function configuredPlatforms(_config: Config): PlatformSet {
  return { names: [], bots: () => [], outgoing: () => [] };
}
