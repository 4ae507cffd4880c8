// `/token create|list|revoke` typed in chat: moderators only, the secret in a
// private answer and nowhere else.
import { describe, expect, it } from "vitest";
import { authenticateToken } from "../../src/app/tokens.ts";
import { catalog } from "../../src/commands/catalog.ts";
import { runTextCommand, type Invocation } from "../../src/commands/dispatch.ts";
import { renderPlainText } from "../../src/views/plainText.ts";
import { newCommunity } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

describe("/token", () => {
  it("makes a token privately for a moderator, lists it without its secret and revokes it", async () => {
    const community = await newCommunity(database);
    const invocation: Invocation = {
      deps: community.deps,
      chat: community.chat,
      user: { ...community.user("mod"), isPlatformModerator: true },
    };
    const created = await runTextCommand(catalog, invocation, "/token create ci-bot read, contribute");
    expect(created?.visibility).toBe("private");
    const token = created?.lines.find((line) => line.startsWith("cairn_")) ?? "";
    expect((await authenticateToken(community.deps, token)).ok).toBe(true);
    expect(created?.lines.join("\n")).toMatch(/scopes read, contribute/);

    const list = await runTextCommand(catalog, invocation, "/token list");
    const listed = renderPlainText(list ?? { visibility: "private", tone: "info", lines: [] });
    expect(list?.visibility).toBe("private");
    expect(listed).toMatch(/ci-bot \(cairn_[0-9a-f]{12}_…\) read, contribute — made .*last used/);
    expect(listed).not.toContain(token);

    const revoked = await runTextCommand(catalog, invocation, "/token revoke ci-bot");
    expect(revoked?.lines).toEqual(["Token ci-bot is revoked."]);
    expect((await authenticateToken(community.deps, token)).ok).toBe(false);
  });

  it("with agent makes an agent member owned by the moderator, listed as an agent", async () => {
    const community = await newCommunity(database);
    const invocation: Invocation = {
      deps: community.deps,
      chat: community.chat,
      user: { ...community.user("mod"), isPlatformModerator: true },
    };
    const created = await runTextCommand(catalog, invocation, "/token create labeller contribute agent read");
    expect(created?.lines[0]).toBe(
      "Token labeller made with scopes read, contribute. It acts as the agent member labeller, with you as its owner; people verify its work. Copy it now; it is not shown again:",
    );
    const caller = await authenticateToken(community.deps, created?.lines[1] ?? "");
    if (!caller.ok) throw new Error(caller.error.code);
    const mod = await community.member("mod");
    expect(
      await database.db.member.findUniqueOrThrow({ where: { id: caller.value.actor.memberId } }),
    ).toMatchObject({ displayName: "labeller", kind: "AGENT", ownerId: mod.memberId });
    const list = await runTextCommand(catalog, invocation, "/token list");
    expect(list?.lines[0]).toMatch(/^labeller \(cairn_[0-9a-f]{12}_…\) read, contribute \(agent\) — made/);
  });

  it("refuses people who are not moderators and bad scopes, one line each", async () => {
    const community = await newCommunity(database);
    const member: Invocation = { deps: community.deps, chat: community.chat, user: community.user("alice") };
    const refused = await runTextCommand(catalog, member, "/token create x read");
    expect(refused?.lines).toEqual(["Only moderators can do that."]);
    const mod: Invocation = { ...member, user: { ...community.user("mod"), isPlatformModerator: true } };
    const bad = await runTextCommand(catalog, mod, "/token create x read sudo");
    expect(bad?.lines).toEqual([
      'There is no scope "sudo"; scopes: read, contribute, vote, moderate, export.',
    ]);
    expect(await database.db.apiToken.count({ where: { communityId: community.communityId } })).toBe(0);
  });
});
