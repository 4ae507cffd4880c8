import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { resolveActor, type PlatformUser } from "../../src/app/actors.ts";
import { logContribution } from "../../src/app/contributions.ts";
import { buildExport } from "../../src/app/exports.ts";
import { createIdentityLinkCode, redeemIdentityLinkCode } from "../../src/app/link.ts";
import { adjustPoints, eraseMember, requestErasure } from "../../src/app/moderation.ts";
import { castVote } from "../../src/app/votes.ts";
import { composeOutboxMessages } from "../../src/jobs/compose.ts";
import { readOutboxPayload } from "../../src/app/outbox.ts";
import { expireExportFiles } from "../../src/jobs/exports.ts";
import { renderPlainText } from "../../src/views/plainText.ts";
import { useTestDatabase } from "../support/db.ts";
import { discordAndTelegram, newCommunity, valueOf } from "../support/communities.ts";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const database = useTestDatabase();

describe("a member who asked to be forgotten", () => {
  it("stays erased when their account is seen again", async () => {
    const community = await newCommunity(database);
    const mod = await community.member("mod", { moderator: true });
    const ana = await community.member("Ana Real-Name");
    valueOf(await requestErasure(community.deps, ana));
    valueOf(
      await eraseMember(community.deps, mod, {
        member: { kind: "user", user: community.user("Ana Real-Name") },
      }),
    );

    valueOf(await resolveActor(community.deps, community.chat, community.user("Ana Real-Name")));

    const member = await database.db.member.findUniqueOrThrow({
      where: { id: ana.memberId },
      include: { identities: true },
    });
    expect(member.displayName).toBe(`erased member ${ana.memberId}`);
    expect(member.erasedAt).not.toBeNull();
    expect(member.identities.map((i) => i.displayName)).toEqual([`erased member ${ana.memberId}`]);
  });

  it("asking twice records one request, so the moderators are told once", async () => {
    const community = await newCommunity(database);
    const bo = await community.member("Bo");
    expect(valueOf(await requestErasure(community.deps, bo))).toEqual({ requested: true, before: false });
    expect(valueOf(await requestErasure(community.deps, bo))).toEqual({ requested: true, before: true });
    const requests = await database.db.auditLog.count({
      where: { communityId: community.communityId, action: "member.forget-request" },
    });
    const outbox = await database.db.outboxMessage.count({
      where: { communityId: community.communityId, kind: "MOD_LOG" },
    });
    expect(requests).toBe(1);
    expect(outbox).toBe(1);
  });
});

describe("erasing a member who linked two accounts", () => {
  it("leaves no row, re-rendered card or export naming them or carrying their platform ids", async () => {
    const two = await discordAndTelegram(database);
    const { community, mod } = two;
    const deps = community.deps;
    const telegramUser = two.telegramUser("Zed Telegram-Name");
    const onTelegram = await two.onTelegram("Zed Telegram-Name");
    const discordUser: PlatformUser = {
      platform: "DISCORD",
      userId: `d-zed-${community.communityId}`,
      displayName: "Zed Discord-Name",
    };
    const onDiscord = valueOf(await resolveActor(deps, community.chat, discordUser));
    const pat = await community.member("pat");
    const voters = await Promise.all(["v1", "v2", "v3"].map((name) => community.member(name)));

    // The Telegram account contributes and votes before the link: its member row becomes the merged-away one.
    const own = valueOf(
      await logContribution(deps, onTelegram, { categorySlug: "code", title: "Telegram work", links: [] }),
    ).number;
    for (const voter of voters) valueOf(await castVote(deps, voter, { number: own, choice: "APPROVE" }));
    const pats = valueOf(
      await logContribution(deps, pat, { categorySlug: "docs", title: "Pat's work", links: [] }),
    ).number;
    valueOf(await castVote(deps, onTelegram, { number: pats, choice: "APPROVE" }));
    valueOf(
      await adjustPoints(deps, mod, {
        member: { kind: "user", user: telegramUser },
        points: 100,
        reason: "prize",
      }),
    );
    const code = valueOf(await createIdentityLinkCode(deps, onDiscord)).code;
    valueOf(await redeemIdentityLinkCode(deps, onTelegram, code));

    valueOf(await requestErasure(deps, onDiscord));
    const before = await database.db.outboxMessage.aggregate({ _max: { id: true } });
    valueOf(await eraseMember(deps, mod, { member: { kind: "user", user: discordUser } }));

    const names = ["Zed Telegram-Name", "Zed Discord-Name"];
    const platformIds = [telegramUser.userId, discordUser.userId];
    const secrets = [...names, ...platformIds];

    // Every row of every table: no name (identities keep their platform ids, so the account resolves to the erased member).
    const tables = await database.db.$queryRaw<Array<{ table_name: string }>>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_prisma%'`;
    for (const { table_name } of tables) {
      const rows = await database.db.$queryRawUnsafe<Array<{ row: string }>>(
        `SELECT t::text AS row FROM "${table_name}" t`,
      );
      for (const { row } of rows) for (const name of names) expect(row, table_name).not.toContain(name);
    }

    // The cards that showed them are edited again, and render the erased name.
    const after = await database.db.outboxMessage.findMany({
      where: { communityId: community.communityId, id: { gt: before._max.id ?? 0n } },
    });
    const rerendered = after.filter((row) => row.kind === "TALLY");
    expect(rerendered.length).toBeGreaterThanOrEqual(2);
    for (const row of after) {
      const payload = readOutboxPayload(row.payload);
      if (payload === null) continue;
      for (const message of await composeOutboxMessages(deps, community.communityId, payload)) {
        const text = renderPlainText(message.view);
        for (const secret of secrets) expect(text).not.toContain(secret);
      }
    }
    const card = (
      await composeOutboxMessages(
        deps,
        community.communityId,
        readOutboxPayload(rerendered[0]?.payload) ?? { kind: "TALLY", contributionId: 0 },
      )
    ).map((m) => renderPlainText(m.view));
    expect(card.join("\n")).toContain(`erased member ${onDiscord.memberId}`);

    for (const format of ["csv", "json"] as const) {
      const exported = valueOf(
        await buildExport(deps, { actor: mod, window: { kind: "all" }, format }),
      ).content;
      for (const secret of [...names, ...platformIds]) expect(exported).not.toContain(secret);
    }
  });

  it("deletes the community's background export files, which may name them", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "cairn-exports-"));
    await writeFile(path.join(dir, "export-7-2026-11-02T10-00-00-000Z.csv"), "name\nZed\n");
    await writeFile(path.join(dir, "export-7-2026-11-03T10-00-00-000Z.json"), "[]");
    await writeFile(path.join(dir, "export-70-2026-11-02T10-00-00-000Z.csv"), "name\nOther\n");
    expect((await expireExportFiles(dir, 7)).sort()).toEqual([
      "export-7-2026-11-02T10-00-00-000Z.csv",
      "export-7-2026-11-03T10-00-00-000Z.json",
    ]);
    expect(await readdir(dir)).toEqual(["export-70-2026-11-02T10-00-00-000Z.csv"]);
    expect(await expireExportFiles(path.join(dir, "missing"), 7)).toEqual([]);
  });
});
