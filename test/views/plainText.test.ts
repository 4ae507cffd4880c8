import { describe, expect, it } from "vitest";
import { plainText, renderPlainText } from "../../src/views/plainText.ts";
import { voteButtons } from "../../src/views/contribution.ts";
import { publicView } from "../../src/views/view.ts";

describe("plain text for the terminal", () => {
  it("drops escape sequences and control characters a person typed", () => {
    expect(plainText("ok\u001b[2J\u001b[31mred\u0007\u0000")).toBe("okred");
  });

  it("shows each button as the command to type", () => {
    const text = renderPlainText(publicView(["body"], { title: "#7 Title", buttons: voteButtons(7) }));
    expect(text).toContain("[Approve] /vote #7 approve");
    expect(text).toContain("[Needs info] /vote #7 info <question>");
    expect(text).toContain("[Impact 5] /vote #7 approve 5");
  });

  it("names a picture and never prints its bytes", () => {
    const content = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x1b, 0x5b, 0x32, 0x4a);
    const text = renderPlainText(
      publicView(["board"], { attachment: { filename: "board-c.png", contentType: "image/png", content } }),
    );
    expect(text).toBe("board\n  (image: board-c.png)");
  });

  it("names a text file as a file", () => {
    const attachment = { filename: "export.csv", contentType: "text/csv", content: "a,b\n" };
    expect(renderPlainText(publicView(["done"], { attachment }))).toContain("(file: export.csv)");
  });
});
