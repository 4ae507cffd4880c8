// The outbox wakes the dispatcher with a NOTIFY for everything but tally
// changes, which are delivered after a deliberate delay and found by its poll.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCommunity } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

describe("the outbox trigger", () => {
  let listener: pg.Client;
  const heard: string[] = [];

  beforeAll(async () => {
    listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    listener.on("notification", (n) => void heard.push(n.payload ?? ""));
    await listener.query("LISTEN cairn_outbox");
  });
  afterAll(() => listener.end());

  it("notifies for a vote card and not for a tally change", async () => {
    const { communityId } = await newCommunity(database);
    const insert = (kind: "VOTE_CARD" | "TALLY") =>
      database.db.outboxMessage.create({
        data: { communityId, kind, topic: "card:1", payload: { kind, contributionId: 1 } },
      });
    const tally = await insert("TALLY");
    const card = await insert("VOTE_CARD");
    const until = Date.now() + 5_000;
    while (!heard.includes(String(card.id)) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    expect(heard).toContain(String(card.id));
    expect(heard).not.toContain(String(tally.id));
  });
});
