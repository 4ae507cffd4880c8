// `/web` and `/web login` typed in chat: the community's address once its
// pages are on, and a moderator's one-time sign-in link, privately.
import { describe, expect, it } from "vitest";
import { previewSignIn } from "../../src/app/webSessions.ts";
import { catalog } from "../../src/commands/catalog.ts";
import { runTextCommand, type Invocation } from "../../src/commands/dispatch.ts";
import { hashSecret } from "../../src/core/webSessions.ts";
import { newCommunity } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();
const PUBLIC_URL = "https://cairn.example";

async function setUp() {
  const community = await newCommunity(database);
  const deps = { ...community.deps, publicUrl: PUBLIC_URL };
  const as = (name: string, moderator = false): Invocation => ({
    deps,
    chat: community.chat,
    user: { ...community.user(name), ...(moderator ? { isPlatformModerator: true } : {}) },
  });
  return { community, as };
}

describe("/web", () => {
  it("says how to turn the pages on while publicPages is off, then answers with the address", async () => {
    const { community, as } = await setUp();
    const off = await runTextCommand(catalog, as("alice"), "/web");
    expect(off?.lines).toEqual([
      "This community's web pages are off; a moderator turns them on with /config set publicPages on.",
    ]);
    const set = await runTextCommand(catalog, as("mod", true), "/config set publicPages on");
    expect(set?.tone).toBe("success");
    const on = await runTextCommand(catalog, as("alice"), "/web");
    expect(on?.lines).toEqual([`This community on the web: ${PUBLIC_URL}/c/${community.communityId}`]);
  });

  it("says so where no HTTP server serves the pages", async () => {
    const { community } = await setUp();
    const bare: Invocation = { deps: community.deps, chat: community.chat, user: community.user("alice") };
    expect((await runTextCommand(catalog, bare, "/web"))?.lines[0]).toMatch(/serves no web pages/);
  });
});

describe("/web login", () => {
  it("sends a moderator a private one-time link bound to them and the community, stored hashed", async () => {
    const { community, as } = await setUp();
    const answer = await runTextCommand(catalog, as("mod", true), "/web login");
    expect(answer?.visibility).toBe("private");
    const link = answer?.lines.find((line) => line.startsWith(`${PUBLIC_URL}/login/`)) ?? "";
    const code = link.slice(`${PUBLIC_URL}/login/`.length);
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await database.db.webSignIn.findUniqueOrThrow({ where: { codeHash: hashSecret(code) } });
    const mod = await community.member("mod", { moderator: true });
    expect(row).toMatchObject({
      communityId: community.communityId,
      memberId: mod.memberId,
      grant: "platform",
    });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(10 * 60_000);
    expect(await database.db.webSignIn.count({ where: { codeHash: code } })).toBe(0);
    expect((await previewSignIn(community.deps, code)).ok).toBe(true);
  });

  it("refuses a member who is not a moderator, and makes no link", async () => {
    const { community, as } = await setUp();
    const refused = await runTextCommand(catalog, as("alice"), "/web login");
    expect(refused?.lines).toEqual(["Only moderators can do that."]);
    expect(await database.db.webSignIn.count({ where: { communityId: community.communityId } })).toBe(0);
    expect((await runTextCommand(catalog, as("alice"), "/web logout"))?.lines[0]).toMatch(/^Usage: \/web/);
  });
});
