// The dispatcher tells its caller how long each command took, refused or not,
// under the command's catalog name (the label of /metrics' command latency).
import { describe, expect, it } from "vitest";
import { catalog } from "../../src/commands/catalog.ts";
import { findCommand, runCommand, runTextCommand, type Invocation } from "../../src/commands/dispatch.ts";
import { COMMAND_RATE, type CommandWindow } from "../../src/core/rateLimit.ts";
import { expiringMap } from "../../src/platforms/memory.ts";
import { renderPlainText } from "../../src/views/plainText.ts";
import { newCommunity } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

/** Types commands as the invocation's person and reads the answers as plain text ("" for none). */
function speaker(invocation: Invocation): (text: string) => Promise<string> {
  return async (text) => {
    const view = await runTextCommand(catalog, invocation, text);
    return view === null ? "" : renderPlainText(view);
  };
}

describe("command dispatch", () => {
  it("reports each command's name and duration to observe, answered or refused, and nothing for an unknown command", async () => {
    const community = await newCommunity(database);
    const seen: Array<[string, number]> = [];
    const invocation: Invocation = {
      deps: community.deps,
      chat: community.chat,
      user: community.user("alice"),
      observe: (command, seconds) => void seen.push([command, seconds]),
    };
    await runTextCommand(catalog, invocation, "/help");
    const refused = await runTextCommand(catalog, invocation, "/config set quorum 5");
    await runTextCommand(catalog, invocation, "/nosuchcommand");
    if (refused === null) throw new Error("/config set gave no answer");
    expect(renderPlainText(refused)).toMatch(/moderator/i);
    expect(seen.map(([command]) => command)).toEqual(["/help", "/config set"]);
    for (const [, seconds] of seen) {
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(10);
    }
  });
});

describe("/profile", () => {
  it("hides and shows the caller by text or by its visibility option, and refuses both a member and a visibility", async () => {
    const community = await newCommunity(database);
    const invocation: Invocation = {
      deps: community.deps,
      chat: community.chat,
      user: community.user("ada"),
    };
    const say = speaker(invocation);
    const hidden = async (): Promise<boolean> =>
      (await community.deps.db.member.findFirstOrThrow({ where: { displayName: "ada" } })).hidden;

    expect(await say("/profile hide")).toMatch(/hidden from public boards/);
    expect(await hidden()).toBe(true);
    expect(await say("/profile SHOW")).toMatch(/shown on public boards again/);
    expect(await hidden()).toBe(false);
    expect(await say("/profile @ada hide")).toMatch(/^✗ Usage: \/profile/);
    expect(await hidden()).toBe(false);
    expect(await say("/profile")).toMatch(/ada/);
  });
});

describe("invisible characters", () => {
  it("are removed from every option and name before anything reads them: a NUL gets a refusal, not an error", async () => {
    const community = await newCommunity(database);
    const errors: unknown[] = [];
    const invocation: Invocation = {
      deps: community.deps,
      chat: community.chat,
      user: { ...community.user("ad\u0000a"), displayName: "Ad\u0000a\u001b[31m" },
      onError: (error) => void errors.push(error),
    };
    const say = speaker(invocation);
    expect(await say("/leaderboard doc\u0000s")).not.toMatch(/went wrong/);
    expect(await say("/profile @no\u0000body")).toMatch(/^✗ No member is called "nobody"/);
    expect(await say("/link \u0000")).not.toMatch(/went wrong/);
    expect(errors).toEqual([]);
    const member = await community.deps.db.member.findFirstOrThrow({
      where: { communityId: community.communityId },
    });
    expect(member.displayName).toBe("Ada[31m");
  });
});

describe("moderator refusals that name the real problem", () => {
  it("refuses with the specific reason and changes nothing", async () => {
    const community = await newCommunity(database);
    const mod: Invocation = {
      deps: community.deps,
      chat: community.chat,
      user: { ...community.user("mo"), isPlatformModerator: true },
    };
    const say = speaker(mod);
    await say("/profile");
    const entries = () =>
      community.deps.db.ledgerEntry.count({ where: { communityId: community.communityId } });

    expect(await say("/leaderboard forever")).toBe('✗ There is no category "forever".');
    expect(await say("/member unban @mo no reason")).toMatch(/^✗ mo is not banned/i);
    expect(await say("/category add zero 0 counted only")).toMatch(/^✓/);
    expect(await say("/category add huge 99999999999")).toMatch(
      /^✗ A category weight is a number of points from 0/,
    );
    expect(await say("/export all 100 200 300")).toMatch(/^✗ Usage: \/export/);
    expect(await say('/profile "@ "')).toMatch(/^✗ Usage: \/profile/);

    await community.deps.db.balance.create({
      data: {
        memberId: (await community.member("rich")).memberId,
        communityId: community.communityId,
        total: 2_147_000_000,
      },
    });
    const before = await entries();
    expect(await say("/member adjust @rich 1000000 bonus")).toBe(
      "✗ That would take the member's points beyond 21,474,836.47, the most a balance holds.",
    );
    expect(await entries()).toBe(before);
  });
});

describe("/season add", () => {
  it("suggests a board window that reads back, quoted when the season's name has spaces", async () => {
    const community = await newCommunity(database);
    const mod: Invocation = {
      deps: community.deps,
      chat: community.chat,
      user: { ...community.user("mo"), isPlatformModerator: true },
    };
    const say = speaker(mod);
    const added = await say('/season add "Spring 2025" 2025-03-01');
    const window = /\/leaderboard (season:"Spring 2025")\./.exec(added)?.[1];
    expect(window).toBe('season:"Spring 2025"');
    expect(await say(`/leaderboard ${window}`)).not.toMatch(/^✗/);
  });
});

describe("per-member command rate limit", () => {
  it("a member flooding commands gets one polite refusal, then silence, and nothing runs until the minute is over", async () => {
    const community = await newCommunity(database);
    const windows = expiringMap<string, CommandWindow>(COMMAND_RATE.windowMs, 10_000, () =>
      community.clock.now().getTime(),
    );
    const ran: string[] = [];
    const as = (name: string): Invocation => ({
      deps: community.deps,
      chat: community.chat,
      user: community.user(name),
      commandWindows: windows,
      observe: (command) => void ran.push(`${name} ${command}`),
    });
    const flooder = speaker(as("flood"));
    for (let i = 0; i < COMMAND_RATE.limit; i += 1) expect(await flooder("/help")).not.toMatch(/^✗/);
    expect(await flooder("/help")).toBe("✗ You are sending commands too fast; wait a minute and try again.");
    expect(await flooder("/help")).toBe("");
    expect(await flooder("/nosuchcommand")).toBe("");
    expect(ran).toHaveLength(COMMAND_RATE.limit);
    expect(await speaker(as("calm"))("/help")).not.toMatch(/^✗/);
    community.clock.advanceMs(COMMAND_RATE.windowMs);
    expect(await flooder("/help")).not.toMatch(/^✗/);
    expect(ran).toHaveLength(COMMAND_RATE.limit + 2);
  });

  it("counts a command given with typed options (a slash command, a button) in the same window as typed ones", async () => {
    const community = await newCommunity(database);
    const windows = expiringMap<string, CommandWindow>(COMMAND_RATE.windowMs, 10_000, () =>
      community.clock.now().getTime(),
    );
    const invocation: Invocation = {
      deps: community.deps,
      chat: community.chat,
      user: community.user("presser"),
      commandWindows: windows,
    };
    const help = findCommand(catalog, "help");
    if (help === undefined) throw new Error("no /help");
    for (let i = 0; i < COMMAND_RATE.limit - 1; i += 1) await runCommand(help, invocation, {});
    expect(await speaker(invocation)("/help")).not.toMatch(/^✗/);
    const refused = await runCommand(help, invocation, {});
    expect(refused === null ? "" : renderPlainText(refused)).toBe(
      "✗ You are sending commands too fast; wait a minute and try again.",
    );
    expect(await runCommand(help, invocation, {})).toBeNull();
    expect(await speaker(invocation)("/help")).toBe("");
  });
});
