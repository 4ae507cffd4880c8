// Every moderator action is refused for a non-moderator, on every platform,
// and every API route that needs a scope is refused to a token without it;
// neither changes anything in the database. Driven by the command catalog and
// the API's route list, so a new moderator command or scoped route is covered
// without touching this file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog } from "../../src/commands/catalog.ts";
import type { AnyCommandSpec, OptionKind } from "../../src/commands/types.ts";
import { apiRoutes } from "../../src/http/api/routes.ts";
import { TOKEN_SCOPES } from "../../src/core/tokens.ts";
import type { Db } from "../../src/db/client.ts";
import { useTestDatabase } from "../support/db.ts";
import { ConsoleHarness } from "../platforms/console/harness.ts";
import { DiscordHarness } from "../platforms/discord/harness.ts";
import type { Person, PlatformHarness } from "../platforms/harness.ts";
import { TelegramWorld } from "../platforms/telegram/harness.ts";
import { FakeClock, apiCommunity, call, useApiServer } from "../http/api/support.ts";
import { databaseState } from "./snapshot.ts";

const moderatorCommands = catalog.filter((spec) => spec.audience === "moderator");

/** A value of each option kind that the command's input accepts, so the refusal is the audience's, not the syntax's. */
const SAMPLE: Record<OptionKind, string> = {
  contribution: "#1",
  member: "@bob",
  category: "docs",
  window: "30d",
  season: "spring",
  choice: "",
  integer: "5",
  points: "5",
  text: "a reason given",
  word: "sample",
  date: "2026-12-01",
  links: "https://example.org/a",
  credits: "@bob:100",
  flag: "",
};

/** The command as a person would type it with every required option filled. */
function lineOf(spec: AnyCommandSpec): string {
  const args = spec.options
    .filter((option) => option.required)
    .map((option) => (option.kind === "choice" ? (option.choices?.[0] ?? "") : SAMPLE[option.kind]));
  return [`/${spec.name}`, ...(spec.sub === undefined ? [] : [spec.sub]), ...args].join(" ");
}

// Two non-moderators share the commands, so neither passes the per-member command rate.
const bob: Person = { id: "bob", name: "Bob" };
const carol: Person = { id: "carol", name: "Carol" };

function refusesEveryModeratorCommand(name: string, make: () => PlatformHarness & { db(): Db }): void {
  describe(`every moderator command on ${name}`, () => {
    let chat: PlatformHarness & { db(): Db };
    beforeAll(async () => {
      chat = make();
      await chat.start();
      // Seen once before the snapshot: a first command creates the member, which is no moderator action.
      await chat.command(bob, "/help");
      await chat.command(carol, "/help");
    }, 120_000);
    afterAll(() => chat?.stop(), 60_000);

    it("is refused to a non-moderator, privately, and changes nothing", async () => {
      expect(moderatorCommands.length).toBeGreaterThan(20);
      const before = await databaseState(chat.db());
      const answers: Array<[string, string]> = [];
      for (const [index, spec] of moderatorCommands.entries()) {
        const line = lineOf(spec);
        const reply = await chat.command(index % 2 === 0 ? bob : carol, line);
        expect(reply.private, line).toBe(true);
        answers.push([line, reply.text]);
      }
      expect(answers.filter(([, text]) => !/only moderators/i.test(text))).toEqual([]);
      expect(await databaseState(chat.db())).toEqual(before);
    }, 120_000);
  });
}

refusesEveryModeratorCommand("the console", () => {
  const harness = new ConsoleHarness();
  return Object.assign(harness, { db: () => harness.ledgerDb });
});

refusesEveryModeratorCommand("Discord", () => {
  const harness = new DiscordHarness();
  return Object.assign(harness, { db: () => harness.world.database.db });
});

refusesEveryModeratorCommand("Telegram", () => {
  const world = new TelegramWorld({ emulator: 9851, http: 9852 }, { membershipCacheMs: 0 });
  return Object.assign(world, { db: () => world.database.db });
});

describe("every scoped API route", () => {
  const database = useTestDatabase();
  const clock = new FakeClock();
  const api = useApiServer(database, clock);

  const scoped = apiRoutes.filter((route) => route.scope !== "read");

  it("answers 403 problem+json to a token with every scope but the route's, and changes nothing", async () => {
    expect(scoped.length).toBeGreaterThan(3);
    const community = await apiCommunity(database, clock);
    const tokens = new Map<string, string>();
    for (const scope of new Set(scoped.map((route) => route.scope)))
      tokens.set(
        scope,
        await community.token(
          "dave",
          TOKEN_SCOPES.filter((s) => s !== scope),
        ),
      );
    const before = await databaseState(database.db);
    for (const route of scoped) {
      const path = route.path.replace(/\{\w+\}/g, "1");
      const answer = await call(api.server, route.method, path, {
        token: tokens.get(route.scope) ?? "",
        ...(route.method === "GET" ? {} : { body: {} }),
      });
      expect([route.method, route.path, answer.status, answer.type]).toEqual([
        route.method,
        route.path,
        403,
        expect.stringMatching(/^application\/problem\+json/),
      ]);
      expect(answer.json).toMatchObject({ code: "MISSING_SCOPE" });
    }
    expect(await databaseState(database.db)).toEqual(before);
  });
});
