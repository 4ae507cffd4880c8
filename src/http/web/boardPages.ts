// Board pages drawn lately, kept so a busy board is not drawn again for every
// reader. An entry is sent only while it is still what a fresh drawing would
// give: its board page state (src/app/publicPages.ts, read before the page was
// drawn, checked on every request) is unchanged, the members it shows still
// read as it shows them, and it was drawn in the same time slice (the active
// score decays and windows move with the clock, not with writes).
import { LRUCache } from "lru-cache";
import type { BoardPageState, ShownMember } from "../../app/publicPages.ts";

export interface BoardPageCacheLimits {
  /** Pages kept before the least recently used go; 0 keeps none. */
  readonly max: number;
  /** How long the clock-driven figures of a kept page may lag (the active score's decay, a window's edge). */
  readonly sliceMs: number;
}

export const BOARD_PAGE_CACHE: BoardPageCacheLimits = { max: 256, sliceMs: 10_000 };

/** A drawn page and what it was drawn from. */
export interface DrawnPage {
  readonly body: string;
  readonly etag: string;
  readonly shown: readonly ShownMember[];
}

interface Entry extends DrawnPage {
  readonly version: string;
  readonly slice: number;
}

export interface BoardPageCache {
  /** The ids of the members the kept page for `key` shows (to read their state with the page's). */
  shownIds(key: string): readonly number[];
  /** The kept page for `key` when it is still current at `now` in `state`; else undefined. */
  current(key: string, state: BoardPageState, now: Date): DrawnPage | undefined;
  /** Keeps `page`, drawn at `now` from what `state` was read as before the drawing. */
  keep(key: string, state: BoardPageState, now: Date, page: DrawnPage): void;
}

export function boardPageCache(limits: BoardPageCacheLimits = BOARD_PAGE_CACHE): BoardPageCache {
  const slice = (now: Date): number => Math.floor(now.getTime() / Math.max(1, limits.sliceMs));
  if (limits.max <= 0) return { shownIds: () => [], current: () => undefined, keep: () => {} };
  const pages = new LRUCache<string, Entry>({ max: limits.max });
  return {
    shownIds: (key) => pages.peek(key)?.shown.map((m) => m.id) ?? [],
    current(key, state, now) {
      const entry = pages.get(key);
      if (entry === undefined) return undefined;
      if (entry.version === state.version && entry.slice === slice(now) && state.shownCurrent(entry.shown))
        return entry;
      pages.delete(key);
      return undefined;
    },
    keep(key, state, now, page) {
      if (state.version === "") return;
      pages.set(key, { ...page, version: state.version, slice: slice(now) });
    },
  };
}
