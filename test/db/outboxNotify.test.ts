// The dispatcher is woken (NOTIFY cairn_outbox) once a use case that wrote
// something to deliver has committed: a logged contribution on the typed store, a
// vote card written through Prisma. A tally change is found by the dispatcher's
// poll, and a refusal commits nothing and wakes nobody.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import { inTransaction } from "../../src/app/deps.ts";
import { enqueueOutbox } from "../../src/app/outbox.ts";
import { OUTBOX_CHANNEL } from "../../src/app/outboxWake.ts";
import { newCommunity } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

describe("the outbox's wake-up", () => {
  let listener: pg.Client;
  let heard = 0;

  beforeAll(async () => {
    listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    listener.on("notification", (n) => {
      if (n.channel === OUTBOX_CHANNEL) heard += 1;
    });
    await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
  });
  afterAll(() => listener.end());

  /** How many wake-ups arrive within a while of `work` (every one sent has arrived by then). */
  async function wakeUpsOf(work: () => Promise<unknown>): Promise<number> {
    const before = heard;
    await work();
    // A NOTIFY from the store travels as its own transaction: a round trip to the listener.
    await listener.query(`SELECT pg_sleep(0.2)`);
    return heard - before;
  }

  it("wakes the dispatcher once a logged contribution has committed", async () => {
    const community = await newCommunity(database);
    const ada = await community.member("ada");
    const draft = { categorySlug: "code", title: "Fix the parser", description: "", links: [] };
    expect(await wakeUpsOf(() => logContribution(community.deps, ada, draft))).toBe(1);
  });

  it("does not wake it for a refused contribution", async () => {
    const community = await newCommunity(database);
    const ada = await community.member("ada");
    const draft = { categorySlug: "no-such", title: "Fix the parser", description: "", links: [] };
    let refused = false;
    const woken = await wakeUpsOf(async () => {
      refused = !(await logContribution(community.deps, ada, draft)).ok;
    });
    expect(refused).toBe(true);
    expect(woken).toBe(0);
  });

  it("wakes it for a vote card written through Prisma, and not for a tally change", async () => {
    const { communityId, deps } = await newCommunity(database);
    const write = (kind: "VOTE_CARD" | "TALLY") => () =>
      inTransaction(deps, (tx) => enqueueOutbox(tx, communityId, { kind, contributionId: 1 }));
    expect(await wakeUpsOf(write("TALLY"))).toBe(0);
    expect(await wakeUpsOf(write("VOTE_CARD"))).toBe(1);
  });

  it("does not wake it when the transaction that wrote the card rolls back", async () => {
    const { communityId, deps } = await newCommunity(database);
    const woken = await wakeUpsOf(() =>
      inTransaction(deps, async (tx) => {
        await enqueueOutbox(tx, communityId, { kind: "VOTE_CARD", contributionId: 1 });
        throw new Error("rolled back");
      }).catch(() => undefined),
    );
    expect(woken).toBe(0);
    expect(await database.db.outboxMessage.count({ where: { communityId } })).toBe(0);
  });
});
