// An Idempotency-Key whose first call died after claiming it (process killed,
// PostgreSQL connection cut) must not answer 409 until the key expires: the
// claim is a lease, and a retry of the same request takes it over after it.
import { describe, expect, it } from "vitest";
import { CLAIM_LEASE_MS } from "../../src/app/idempotency.ts";
import { requestFingerprint } from "../../src/http/api/plugin.ts";
import { useTestDatabase } from "../support/db.ts";
import { FakeClock, apiCommunity, call, useApiServer } from "../http/api/support.ts";

const database = useTestDatabase();
const clock = new FakeClock();
const api = useApiServer(database, clock);

const draft = { category: "docs", title: "Retry guide", links: ["https://example.org/retry"] };

/** Leaves the claim a first call of the key made before its process died: running, never kept or released. */
async function claimOfDeadCall(tokenId: number, key: string, fingerprint: string): Promise<void> {
  await database.db.idempotentCall.create({ data: { tokenId, key, fingerprint, createdAt: clock.now() } });
}

describe("Idempotency-Key claim of a call that died", () => {
  it("a claim of another request is not taken over after the lease: the key stays refused as reused", async () => {
    const community = await apiCommunity(database, clock);
    const token = await community.token("bob", ["contribute"]);
    const tokenRow = await database.db.apiToken.findFirstOrThrow({
      where: { communityId: community.communityId },
      orderBy: { id: "desc" },
    });
    await claimOfDeadCall(tokenRow.id, "other", "not-this-request");
    clock.advanceMs(CLAIM_LEASE_MS + 1);
    const answer = await call(api.server, "POST", "/contributions", {
      token,
      body: { ...draft, links: ["https://example.org/other"] },
      headers: { "idempotency-key": "other" },
    });
    expect(answer.json).toMatchObject({ status: 422, code: "IDEMPOTENCY_KEY_REUSED" });
    expect(await database.db.contribution.count({ where: { communityId: community.communityId } })).toBe(0);
  });

  it("a retry within the lease waits, and after the lease takes the claim over and logs once", async () => {
    const community = await apiCommunity(database, clock);
    const token = await community.token("alice", ["contribute"]);
    const tokenRow = await database.db.apiToken.findFirstOrThrow({
      where: { communityId: community.communityId },
      orderBy: { id: "desc" },
    });
    await claimOfDeadCall(tokenRow.id, "died-42", requestFingerprint("POST", "/api/v1/contributions", draft));

    const retry = call(api.server, "POST", "/contributions", {
      token,
      body: draft,
      headers: { "idempotency-key": "died-42" },
    });
    // Still inside the lease: the retry waits for the first call's answer, which never comes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await database.db.contribution.count({ where: { communityId: community.communityId } })).toBe(0);
    clock.advanceMs(CLAIM_LEASE_MS + 1);
    const answer = await retry;
    expect(answer.status).toBe(201);
    expect(answer.headers.get("idempotent-replayed")).toBeNull();
    expect(await database.db.contribution.count({ where: { communityId: community.communityId } })).toBe(1);
    const again = await call(api.server, "POST", "/contributions", {
      token,
      body: draft,
      headers: { "idempotency-key": "died-42" },
    });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json).toEqual(answer.json);
  });
});
