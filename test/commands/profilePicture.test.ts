// `/profile` answers with its text and, where the platform sends pictures, the profile card.
import { describe, expect, it } from "vitest";
import { catalog } from "../../src/commands/catalog.ts";
import { runTextCommand } from "../../src/commands/dispatch.ts";
import { isImage } from "../../src/views/view.ts";
import { decodePng } from "../views/pictures/pixels.ts";
import { newCommunity } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

describe("/profile's picture", () => {
  it("comes with the answer on Telegram (and Discord), as a PNG of the profile card", async () => {
    const community = await newCommunity(database, { platform: "TELEGRAM" });
    const view = await runTextCommand(
      catalog,
      { deps: community.deps, chat: community.chat, user: community.user("Алиса") },
      "/profile",
    );
    expect(view?.lines.join("\n")).toMatch(/Points:/);
    const attachment = view?.attachment;
    if (attachment === undefined) throw new Error("no picture with /profile");
    expect(isImage(attachment)).toBe(true);
    expect(attachment.filename).toMatch(/^profile-\d+\.png$/);
    expect(decodePng(attachment.content as Uint8Array).width).toBeGreaterThan(0);
  });

  it("is left out on the console, which shows text", async () => {
    const community = await newCommunity(database);
    const view = await runTextCommand(
      catalog,
      { deps: community.deps, chat: community.chat, user: community.user("ada") },
      "/profile",
    );
    expect(view?.lines.join("\n")).toMatch(/ada/);
    expect(view?.attachment).toBeUndefined();
  });
});
