// `/web` and `/web login` through an unmodified discord.js client against the
// fake Discord: the slash command the catalog derives, the address, and a
// moderator's sign-in link answered ephemerally.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previewSignIn } from "../../../src/app/webSessions.ts";
import { commandPayloads } from "../../../src/platforms/discord/registration.ts";
import { catalog } from "../../../src/commands/catalog.ts";
import { slashCommand } from "./fixtures.ts";
import { DiscordWorld, PUBLIC_URL, textOf } from "./world.ts";

const world = new DiscordWorld();
const mod = { id: "100000000000000071", name: "mod", moderator: true };
const carol = { id: "100000000000000072", name: "carol" };

beforeAll(() => world.start(), 60_000);
afterAll(() => world.stop(), 30_000);

describe("/web on Discord", () => {
  it("is one slash command with an optional login choice, open to everyone", () => {
    const web = commandPayloads(catalog).find((c) => c.name === "web");
    expect(web?.default_member_permissions).toBeNull();
    expect(web?.options).toEqual([
      expect.objectContaining({
        name: "action",
        required: false,
        choices: [{ name: "login", value: "login" }],
      }),
    ]);
  });

  it("answers the address once publicPages is on", async () => {
    const off = await world.send(slashCommand(carol, "web"));
    expect(textOf(off.message)).toContain("a moderator turns them on with /config set publicPages on");
    await world.send(slashCommand(mod, "config", { key: "publicPages", value: "on" }, "set"));
    const space = await world.space();
    const on = await world.send(slashCommand(carol, "web"));
    expect(textOf(on.message)).toContain(`${PUBLIC_URL}/c/${space?.communityId ?? 0}`);
  });

  it("sends a moderator's sign-in link ephemerally, and refuses anyone else", async () => {
    const answer = await world.send(slashCommand(mod, "web", { action: "login" }));
    expect(answer.ephemeral).toBe(true);
    const code =
      new RegExp(`${PUBLIC_URL}/login/([A-Za-z0-9_-]{43})`).exec(textOf(answer.message))?.[1] ?? "";
    const preview = await previewSignIn(world.deps, code);
    expect(preview.ok && preview.value.memberName).toBe("mod");
    const refused = await world.send(slashCommand(carol, "web", { action: "login" }));
    expect(refused.ephemeral).toBe(true);
    expect(textOf(refused.message)).toContain("Only moderators can do that.");
  });
});
