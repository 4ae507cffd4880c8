// `cairn deploy-commands [--guild ID]`: the catalog's slash commands are
// registered once, globally or in one server, replacing what was there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog } from "../../../src/commands/catalog.ts";
import { deployCommands } from "../../../src/platforms/discord/index.ts";
import { APP_ID, FakeDiscord, GUILD_ID } from "./fakeDiscord.ts";

describe("deployCommands", () => {
  const fake = new FakeDiscord();
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  const registrations = () => fake.calls.filter((c) => c.method === "PUT");

  it("registers one slash command per catalog name, globally by default", async () => {
    const names = new Set(catalog.map((c) => c.name));
    const { count } = await deployCommands({ token: "t.o.k", applicationId: APP_ID, api: fake.api });
    expect(count).toBe(names.size);
    const [put] = registrations();
    expect(put?.path).toBe(`/applications/${APP_ID}/commands`);
    const sent = put?.body as Array<{ name: string; default_member_permissions: string | null }>;
    expect(new Set(sent.map((c) => c.name))).toEqual(names);
    // Moderator-only commands are hidden from members by default; /leaderboard is not.
    expect(sent.find((c) => c.name === "review")?.default_member_permissions).toBe("32");
    expect(sent.find((c) => c.name === "leaderboard")?.default_member_permissions).toBeNull();
  });

  it("registers in one server when given its id", async () => {
    await deployCommands({ token: "t.o.k", applicationId: APP_ID, api: fake.api }, GUILD_ID);
    expect(registrations().at(-1)?.path).toBe(`/applications/${APP_ID}/guilds/${GUILD_ID}/commands`);
  });
});
