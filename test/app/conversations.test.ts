// The shared conversation store on the real database: what a bot waits for
// reads back as written, expires, is validated on read, and of several
// processes moving one conversation on from the same version only one can.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CONVERSATION_PURGE_AFTER_MS, databaseConversations } from "../../src/app/conversations.ts";
import type { Deps } from "../../src/app/deps.ts";
import type { ConversationKind } from "../../src/ports/conversations.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

interface Steps {
  readonly step: number;
  readonly said: readonly string[];
}

const kind: ConversationKind<Steps> = {
  platform: "TELEGRAM",
  name: "test-steps",
  schema: z.object({ step: z.number().int(), said: z.array(z.string()) }),
  ttlMs: 1_000,
};

/** A store whose clock the test moves. */
function storeAt(start: number) {
  const clock = { at: start };
  const deps: Deps = { db: database.db, store: database.store, clock: { now: () => new Date(clock.at) } };
  return { store: databaseConversations(deps), clock };
}

let nextKey = 0;
const freshKey = () => `person-${nextKey++}`;

describe("the conversation store", () => {
  it("reads back what was opened and moved on, with its version, until it is closed", async () => {
    const { store } = storeAt(Date.parse("2026-12-03T10:00:00Z"));
    const key = freshKey();
    const opened = await store.open(kind, key, { step: 1, said: [] });
    expect(opened.version).toBe(1);
    const found = await store.find(kind, key);
    expect(found?.state).toEqual({ step: 1, said: [] });
    const moved = await store.advance(kind, opened, { step: 2, said: ["docs"] });
    expect(moved).toMatchObject({ version: 2, state: { step: 2, said: ["docs"] } });
    expect((await store.find(kind, key))?.version).toBe(2);
    expect(await store.close(kind, opened)).toBe(false); // an old version ends nothing
    expect(await store.close(kind, moved ?? opened)).toBe(true);
    expect(await store.find(kind, key)).toBeNull();
  });

  it("starts over when opened again under the same key; another kind's key is separate", async () => {
    const { store } = storeAt(Date.parse("2026-12-03T10:00:00Z"));
    const key = freshKey();
    const first = await store.open(kind, key, { step: 3, said: ["a"] });
    const other = { ...kind, name: "test-other" };
    await store.open(other, key, { step: 9, said: [] });
    const again = await store.open(kind, key, { step: 1, said: [] });
    expect(again.version).toBeGreaterThan(first.version);
    expect(await store.advance(kind, first, { step: 4, said: [] })).toBeNull();
    expect((await store.find(kind, key))?.state.step).toBe(1);
    expect((await store.find(other, key))?.state.step).toBe(9);
  });

  it("ignores a conversation past its time: not found, not moved on, but still held until purged", async () => {
    const start = Date.parse("2026-12-03T10:00:00Z");
    const { store, clock } = storeAt(start);
    const key = freshKey();
    const opened = await store.open(kind, key, { step: 1, said: [] });
    clock.at = start + kind.ttlMs;
    expect(await store.find(kind, key)).toBeNull();
    expect(await store.advance(kind, opened, { step: 2, said: [] })).toBeNull();
    expect((await store.held(kind)).map((c) => c.key)).toContain(key);
    // Opening any conversation purges those expired longer than the grace.
    clock.at = start + kind.ttlMs + CONVERSATION_PURGE_AFTER_MS + 1;
    await store.open(kind, freshKey(), { step: 1, said: [] });
    expect((await store.held(kind)).map((c) => c.key)).not.toContain(key);
  });

  it("treats a stored state that does not read as no conversation, and removes it", async () => {
    const { store } = storeAt(Date.now());
    const key = freshKey();
    await store.open(kind, key, { step: 1, said: [] });
    await database.db.conversation.updateMany({
      where: { kind: kind.name, key },
      data: { state: { step: "one" } },
    });
    expect((await store.held(kind)).map((c) => c.key)).not.toContain(key);
    expect(await store.find(kind, key)).toBeNull();
    expect(await database.db.conversation.count({ where: { kind: kind.name, key } })).toBe(0);
  });

  it("lets exactly one of several processes move a conversation on from the same version", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 6 }), fc.boolean(), async (processes, closing) => {
        const key = freshKey();
        const stores = Array.from({ length: processes }, () => storeAt(Date.now()).store);
        const opened = await (stores[0] ?? storeAt(Date.now()).store).open(kind, key, { step: 1, said: [] });
        const outcomes = await Promise.all(
          stores.map(async (store, i) =>
            closing
              ? store.close(kind, opened)
              : (await store.advance(kind, opened, { step: 2, said: [`process ${i}`] })) !== null,
          ),
        );
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        const left = await stores[0]?.find(kind, key);
        if (closing) expect(left).toBeNull();
        else expect(left?.version).toBe(2);
      }),
      { numRuns: 15 },
    );
  });
});
