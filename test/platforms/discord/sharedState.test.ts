// Discord keeps /contribute's options between the slash command and its form's
// submission: in the shared conversation store, so a form opened before a
// restart of the bot is still logged from after it, and one left open past
// its time is refused with what was typed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberOf, modalSubmit, slashCommand } from "./fixtures.ts";
import { DiscordWorld, textOf } from "./world.ts";

const world = new DiscordWorld();
const hana = { id: "100000000000000031", name: "hana" };
const ivo = { id: "100000000000000032", name: "ivo" };

beforeAll(async () => {
  await world.start();
  world.fake.members.set(ivo.id, memberOf(ivo));
}, 60_000);
afterAll(() => world.stop(), 30_000);

async function openForm(credits: string): Promise<string> {
  const opened = await world.send(slashCommand(hana, "contribute", { category: "docs", credits }));
  expect(opened.type).toBe(9);
  return (opened.data as { custom_id: string }).custom_id;
}

describe("an open /contribute form", () => {
  it("is logged, with the co-author its command named, by the bot process started after a restart", async () => {
    const customId = await openForm(`<@${ivo.id}>:30`);
    await world.restartBot();
    const submitted = await world.send(
      modalSubmit(hana, customId, {
        title: "Form across a restart",
        links: "https://example.org/f",
        description: "",
      }),
    );
    expect(textOf(submitted.message)).toMatch(/Logged #\d+ with 2 credited members/);
    const logged = await world.database.db.contribution.findFirstOrThrow({
      where: { title: "Form across a restart" },
      include: { credits: true },
    });
    expect(logged.credits.map((c) => c.shareBp).sort((x, y) => x - y)).toEqual([3000, 7000]);
  });

  it("left open past its time is gone: refused with what was typed, nothing logged", async () => {
    const customId = await openForm("");
    const key = customId.split(":").at(-1) ?? "";
    // An hour and more later:
    await world.database.db.conversation.updateMany({
      where: { platform: "DISCORD", kind: "form", key },
      data: { expiresAt: new Date(Date.now() - 1_000) },
    });
    const typed = { title: "Too late a form", links: "https://example.org/late", description: "" };
    const late = await world.send(modalSubmit(hana, customId, typed));
    expect(late.ephemeral).toBe(true);
    expect(textOf(late.message)).toContain("That form has expired, so nothing was logged");
    expect(textOf(late.message)).toContain("title: Too late a form");
    expect(await world.database.db.contribution.count({ where: { title: "Too late a form" } })).toBe(0);
  });
});
