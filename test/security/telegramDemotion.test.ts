// A Telegram administrator demoted a minute ago loses the moderator right
// within the chat-role cache's stated time (a minute, src/caches.ts): the
// emulator answers getChatMember "administrator", then "member"; once the
// cache's clock has moved past its time the moderator command is refused and
// changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TelegramWorld } from "../platforms/telegram/harness.ts";

const MINUTE_MS = 60_000;
let cacheNow = 1_000_000;
// The default chat-role time (a minute), read on a clock the test moves.
const world = new TelegramWorld({ emulator: 9841, http: 9842 }, { cacheClock: () => cacheNow });

beforeAll(() => world.start(), 60_000);
afterAll(() => world.stop(), 60_000);

describe("a demoted Telegram administrator", () => {
  it("keeps the right only while the cache's minute lasts, then is refused", async () => {
    const admin = TelegramWorld.person("Ada", true);
    const asMember = { id: admin.id, name: admin.name };
    const shown = await world.command(admin, "/config show");
    expect(shown.text).not.toMatch(/only moderators/i);

    world.emulator.state.administrators.delete(world.user(admin).id);
    cacheNow += MINUTE_MS - 1_000;
    const cached = await world.command(asMember, "/config show");
    expect(cached.text).not.toMatch(/only moderators/i);

    cacheNow += 1_001;
    const before = await world.database.db.community.findMany({ select: { config: true } });
    const refused = await world.command(asMember, "/config set quorum 1");
    expect(refused.text).toMatch(/only moderators/i);
    expect(await world.command(asMember, "/config show")).toMatchObject({
      text: expect.stringMatching(/only moderators/i),
    });
    expect(await world.database.db.community.findMany({ select: { config: true } })).toEqual(before);
  });
});
