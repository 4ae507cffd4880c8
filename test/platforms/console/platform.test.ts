import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { consolePlatform } from "../../../src/platforms/console/platform.ts";
import type { ChatTarget } from "../../../src/ports/chatPlatform.ts";
import { renderBoardImage } from "../../../src/views/boardImage.ts";
import { publicView } from "../../../src/views/view.ts";

const room: ChatTarget = {
  kind: "chat",
  platform: "CONSOLE",
  chatId: "room",
  channel: "leaderboard",
  channelRef: null,
  label: "#leaderboard",
};

describe("the console platform", () => {
  it("names a posted picture instead of writing its bytes to the terminal", async () => {
    const output = new PassThrough();
    const content = await renderBoardImage(
      { windowLabel: "last 7 days", score: "total", category: null, rows: [], callerRow: null },
      "c",
    );
    const attachment = { filename: "board-c-2026-01-05.png", contentType: "image/png", content };
    await consolePlatform(output).post(room, publicView(["Nobody has points here yet."], { attachment }));
    const printed = String(output.read());
    expect(printed).toContain("(image: board-c-2026-01-05.png)");
    expect(printed).not.toContain("PNG");
    expect(printed).not.toMatch(/[\u0000-\u0008\u000e-\u001f]/);
  });
});
