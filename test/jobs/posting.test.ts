// A delivery that dies between a post reaching the platform and the post being
// recorded: the outbox row's "posting" marker tells the retry, which posts
// again at most once (Telegram: at most two cards) and, where the platform
// de-duplicates by the row's key (Discord's enforce_nonce), shows one card.
import { afterEach, describe, expect, it } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import { decidePosting, REPOSTS_AFTER_INTERRUPTION } from "../../src/core/posting.ts";
import { startWorkers, type JobRuntime } from "../../src/jobs/runtime.ts";
import type { Log } from "../../src/logger.ts";
import type { Platform } from "../../src/app/actors.ts";
import {
  PlatformError,
  type ChatTarget,
  type MessageRef,
  type PostOptions,
} from "../../src/ports/chatPlatform.ts";
import type { View } from "../../src/views/view.ts";
import { newCommunity, valueOf } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";
import { FakePlatform, cleanupNamespace, queueSettings, realClockDeps } from "./support.ts";

const database = useTestDatabase();

/**
 * A platform whose posts go as scripted: "dies" posts, then the worker dies
 * before anything records it (the post is in the chat); "refused" answers an
 * error and posts nothing; once the script is done, posts succeed.
 */
class ScriptedPosts extends FakePlatform {
  /** What reached the chat. */
  readonly posted: MessageRef[] = [];
  /** Posts by idempotency key, for a platform that de-duplicates them. */
  private readonly byKey = new Map<string, MessageRef>();

  constructor(
    platform: Platform,
    private readonly script: Array<"dies" | "refused">,
    private readonly deduplicates = false,
  ) {
    super(platform);
  }

  override async post(target: ChatTarget, view: View, options: PostOptions = {}): Promise<MessageRef> {
    const outcome = this.script.shift();
    if (outcome === "refused")
      throw new PlatformError(this.platform, { kind: "transient", reason: "status 502" });
    const key = options.idempotencyKey;
    const earlier = key === undefined || !this.deduplicates ? undefined : this.byKey.get(key);
    const ref = earlier ?? (await super.post(target, view));
    if (earlier === undefined) this.posted.push(ref);
    if (key !== undefined) this.byKey.set(key, ref);
    if (outcome === "dies") throw new Error("the worker died after posting");
    return ref;
  }
}

const warnings: string[] = [];
const log: Log = {
  info: () => {},
  warn: (_fields, message) => void warnings.push(message),
  error: () => {},
};

let runtime: JobRuntime | null = null;
// Null until a test delivers a card: the reposting rule's test starts no workers and has no queue to clean.
let settings: ReturnType<typeof queueSettings> | null = null;
afterEach(async () => {
  await runtime?.close();
  runtime = null;
  if (settings !== null) await cleanupNamespace(settings);
  settings = null;
  warnings.length = 0;
});

async function deliverACard(platform: ScriptedPosts) {
  settings = queueSettings("redis", database.url);
  runtime = await startWorkers({
    ...settings,
    deps: realClockDeps(database),
    platforms: [platform],
    settings: { cardEditDelayMs: 0, backoffMs: 50 },
    dispatcherPollMs: 50,
    log,
  });
  const community = await newCommunity(database, { platform: platform.platform, config: { quorum: 20 } });
  const logged = valueOf(
    await logContribution(realClockDeps(database), await community.member("alice"), {
      categorySlug: "docs",
      title: "Guide",
      links: ["https://example.org/guide"],
    }),
  );
  await runtime.settle();
  const row = await database.db.outboxMessage.findFirstOrThrow({
    where: { communityId: community.communityId, kind: "VOTE_CARD" },
  });
  const card = await database.db.contribution.findUniqueOrThrow({ where: { id: logged.id } });
  return { row, cardRefs: card.cardRefs as Record<string, string> };
}

describe("a crash between posting a card and recording it", () => {
  it("on Telegram posts the card once more, records that one and warns that it may show twice", async () => {
    const platform = new ScriptedPosts("TELEGRAM", ["dies"]);
    const { row, cardRefs } = await deliverACard(platform);
    expect(platform.posted).toHaveLength(2);
    expect(row.deliveredAt).not.toBeNull();
    expect(row.postingKey).toBeNull();
    expect(Object.values(cardRefs)).toEqual(["2"]);
    expect(warnings.filter((w) => /posting again after an interrupted post/.test(w))).toHaveLength(1);
  }, 30_000);

  it("interrupted again, posts no third card and records why on the outbox row", async () => {
    const platform = new ScriptedPosts("TELEGRAM", Array<"dies">(10).fill("dies"));
    const { row } = await deliverACard(platform);
    expect(platform.posted).toHaveLength(1 + REPOSTS_AFTER_INTERRUPTION);
    expect(row.lastError).toMatch(/post_interrupted/);
    expect(row.postingKey).toBeNull();
  }, 30_000);

  it("on Discord, whose nonce names the outbox row, the repeated post returns the first card", async () => {
    const platform = new ScriptedPosts("DISCORD", ["dies"], true);
    const { row, cardRefs } = await deliverACard(platform);
    expect(platform.posted).toHaveLength(1);
    expect(row.deliveredAt).not.toBeNull();
    expect(Object.values(cardRefs)).toEqual(["1"]);
  }, 30_000);

  it("does not count the attempts the platform refused with an error: they posted nothing", async () => {
    // After the crash, the platform is down twice before the card goes through.
    const platform = new ScriptedPosts("TELEGRAM", ["dies", "refused", "refused"]);
    const { row, cardRefs } = await deliverACard(platform);
    expect(platform.posted).toHaveLength(2);
    expect(row.deliveredAt).not.toBeNull();
    expect(row.lastError).toBeNull();
    expect(Object.values(cardRefs)).toEqual(["2"]);
  }, 30_000);
});

describe("the reposting rule", () => {
  it("posts, posts once again after an interruption, then stops", () => {
    expect(decidePosting(0)).toBe("post");
    expect(decidePosting(1)).toBe("post_again");
    expect(decidePosting(2)).toBe("stop");
    expect(decidePosting(7)).toBe("stop");
  });
});
