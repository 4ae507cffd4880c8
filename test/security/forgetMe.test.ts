// /forget-me leaves no name: a Telegram member with a distinctive name and
// username logs, votes, is exported and shown on cards; they ask to be
// forgotten and a moderator confirms. Then every text of every table, a fresh
// export, the community's public pages, the cards as they stand and every log
// line written after the request hold neither the name nor the username.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveActor } from "../../src/app/actors.ts";
import { buildExport } from "../../src/app/exports.ts";
import type { Person } from "../platforms/harness.ts";
import { TelegramWorld } from "../platforms/telegram/harness.ts";
import { FakeClock, webApp } from "../http/web/support.ts";
import { valueOf } from "../support/communities.ts";

const world = new TelegramWorld({ emulator: 9861, http: 9862 }, { membershipCacheMs: 0 });
const NAME = "Zedekiah Quillfeather";
const USERNAME = "zquillfeather";
const zed: Person = { id: USERNAME, name: NAME };
const mod = TelegramWorld.person("Mod", true);
const pat = TelegramWorld.person("Pat");
const voters = ["Una", "Vic", "Wes"].map((name) => TelegramWorld.person(name));

beforeAll(() => world.start(), 60_000);
afterAll(() => world.stop(), 60_000);

/** Whether `text` names the member in any spelling a page or file might use. */
function names(text: string): boolean {
  const lower = text.toLowerCase();
  return lower.includes("quillfeather") || lower.includes(USERNAME) || lower.includes("zedekiah");
}

describe("/forget-me", () => {
  it("leaves the name and username in no table, export, public page, card or later log line", async () => {
    expect((await world.command(mod, "/config set publicPages on")).text).not.toMatch(/only moderators/i);
    expect(
      (await world.command(zed, '/contribute docs "Quill guide" https://example.org/quill')).text,
    ).toContain("#1");
    for (const voter of voters) await world.press(voter, 1, "approve");
    expect((await world.command(pat, '/contribute docs "Pat guide" https://example.org/pat')).text).toContain(
      "#2",
    );
    await world.press(zed, 2, "approve");
    expect((await world.card(1)).text).toMatch(/Quillfeather|zquillfeather/);
    await world.command(mod, "/export");
    await world.command(mod, "/leaderboard");

    const logsFrom = world.logLines.length;
    expect((await world.command(zed, "/forget_me")).text).toMatch(/moderators/i);
    const confirmed = await world.command(mod, `/member forget @${USERNAME}`);
    expect(confirmed.text).not.toMatch(/only moderators|no member|usage/i);
    await world.runtime.settle();

    const db = world.database.db;
    const tables = await db.$queryRaw<Array<{ table_name: string }>>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_prisma%'`;
    const leftovers: string[] = [];
    for (const { table_name } of tables) {
      const rows = await db.$queryRawUnsafe<Array<{ row: string }>>(
        `SELECT t::text AS row FROM "${table_name}" t`,
      );
      for (const { row } of rows) if (names(row)) leftovers.push(`${table_name}: ${row.slice(0, 300)}`);
    }
    expect(leftovers).toEqual([]);

    const space = await db.space.findUniqueOrThrow({
      where: { platform_platformChatId: { platform: "TELEGRAM", platformChatId: String(world.group.id) } },
    });
    const moderator = valueOf(
      await resolveActor(
        world.deps,
        { platform: "TELEGRAM", chatId: String(world.group.id) },
        {
          platform: "TELEGRAM",
          userId: String(world.user(mod).id),
          displayName: mod.name,
          isPlatformModerator: true,
        },
      ),
    );
    for (const format of ["csv", "json"] as const) {
      const exported = valueOf(
        await buildExport(world.deps, { actor: moderator, window: { kind: "all" }, format }),
      );
      expect(names(exported.content), format).toBe(false);
    }

    const app = await webApp(world.database, new FakeClock(new Date()));
    try {
      const base = `/c/${space.communityId}`;
      const shown = await app.inject({ method: "GET", url: base });
      expect(shown.statusCode).toBe(200);
      const members = await db.member.findMany({
        where: { communityId: space.communityId },
        select: { id: true },
      });
      for (const path of [
        "",
        "/ledger",
        "/contributions/1",
        "/contributions/2",
        "/ledger.jsonl",
        "/attribution.csv",
        ...members.map((m) => `/members/${m.id}`),
      ]) {
        const page = await app.inject({ method: "GET", url: `${base}${path}` });
        expect(names(page.body), path).toBe(false);
      }
    } finally {
      await app.close();
    }

    for (const number of [1, 2])
      expect(names((await world.card(number)).text), `card #${number}`).toBe(false);
    expect(world.logLines.slice(logsFrom).filter(names)).toEqual([]);
  }, 120_000);
});
