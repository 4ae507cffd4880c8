// A community for the web page tests: verified, pending and blind-voted work,
// a season, a hidden member, and names and titles written to break pages
// (markup, a script link, a right-to-left override).
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import { logContribution } from "../../../src/app/contributions.ts";
import { addSeason } from "../../../src/app/community.ts";
import { setProfileVisibility } from "../../../src/app/profile.ts";
import { castVote } from "../../../src/app/votes.ts";
import type { CommunityConfig } from "../../../src/core/config.ts";
import { silentLog } from "../../../src/logger.ts";
import { webPlugin } from "../../../src/http/web/plugin.ts";
import {
  FakeClock,
  newCommunity,
  valueOf,
  type DatabaseDeps,
  type TestCommunity,
} from "../../support/communities.ts";

/** A name that is markup, one with a right-to-left override, and a title that is a script. */
export const HOSTILE = {
  name: `<img src=x onerror="alert(1)">Mallory`,
  rtlName: "Eve\u202Eexe.txt",
  title: `<script>alert("t")</script> & <b>bold</b>`,
  scriptLink: "javascript:alert(document.cookie)",
  reason: `</script><script>alert(2)</script>`,
} as const;

export interface WebCommunity {
  readonly community: TestCommunity;
  readonly ids: { alice: number; bob: number; hidden: number; hostile: number; rtl: number };
}

export async function webCommunity(
  database: DatabaseDeps,
  clock: FakeClock,
  config: Partial<CommunityConfig> = {},
): Promise<WebCommunity> {
  const community = await newCommunity(database, {
    clock,
    config: { quorum: 2, publicPages: true, maxSubmissionsPerDay: 100, ...config },
  });
  const { deps } = community;
  const alice = await community.member("alice", { moderator: true });
  const bob = await community.member("bob");
  const carol = await community.member("carol");
  const hidden = await community.member("Hidda");
  const hostile = await community.member(HOSTILE.name);
  const rtl = await community.member(HOSTILE.rtlName);
  const log = async (
    who: typeof alice,
    title: string,
    extra: { links?: string[]; digests?: string[] } = {},
  ) =>
    valueOf(
      await logContribution(deps, who, {
        categorySlug: "code",
        title,
        links: extra.links ?? [`https://example.org/${randomUUID()}`],
        ...(extra.digests === undefined ? {} : { digests: extra.digests }),
      }),
    );
  // #1 alice, verified by bob and carol; #2 hostile, verified; #3 hidden member, verified; #4 rtl, pending.
  await log(alice, "Parser for the ledger", { digests: [`sha256:${"ab".repeat(32)}`] });
  valueOf(await castVote(deps, bob, { number: 1, choice: "APPROVE", impact: 4 }));
  valueOf(await castVote(deps, carol, { number: 1, choice: "APPROVE" }));
  await log(hostile, HOSTILE.title);
  valueOf(await castVote(deps, bob, { number: 2, choice: "APPROVE" }));
  valueOf(await castVote(deps, hidden, { number: 2, choice: "APPROVE" }));
  await log(hidden, "Hidden work");
  valueOf(await castVote(deps, bob, { number: 3, choice: "APPROVE" }));
  valueOf(await castVote(deps, carol, { number: 3, choice: "APPROVE" }));
  await log(rtl, "Pending work");
  valueOf(await castVote(deps, bob, { number: 4, choice: "REJECT" }));
  // A link no checked path would accept, written as a stored value could hold it.
  await deps.db.contribution.update({
    where: { communityId_number: { communityId: community.communityId, number: 2 } },
    data: { links: [HOSTILE.scriptLink, "https://example.org/ok"], description: HOSTILE.reason },
  });
  valueOf(await setProfileVisibility(deps, hidden, true));
  valueOf(
    await addSeason(deps, alice, {
      name: "Autumn",
      startsAt: new Date("2026-10-01T00:00:00Z"),
      endsAt: null,
    }),
  );
  return {
    community,
    ids: {
      alice: alice.memberId,
      bob: bob.memberId,
      hidden: hidden.memberId,
      hostile: hostile.memberId,
      rtl: rtl.memberId,
    },
  };
}

/** A fastify app with only the web pages, for inject tests. */
export async function webApp(database: DatabaseDeps, clock: FakeClock): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(
    webPlugin({ deps: { ...database, clock }, log: silentLog, publicUrl: "https://cairn.test" }),
  );
  await app.ready();
  return app;
}

export { FakeClock };
