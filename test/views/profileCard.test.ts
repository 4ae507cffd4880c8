import { describe, expect, it } from "vitest";
import type { ProfileView } from "../../src/app/profile.ts";
import { sampleProfile } from "./pictures/fixtures.ts";
import { BOARD_IMAGE_WIDTH } from "../../src/views/boardImage.ts";
import { profileCardAttachment, renderProfileCard } from "../../src/views/profileCard.ts";
import { decodePng, differingPixels } from "./pictures/pixels.ts";

const profile = sampleProfile;

describe("the profile card", () => {
  it("draws the member's name and categories in any script with no missing glyph", async () => {
    for (const name of ["Алиса Петрова", "李明", "🚀 rocket_dev", "مريم أحمد", "שרה כהן"]) {
      const card = await renderProfileCard(profile({ name, categories: [{ slug: "文档", verified: 1 }] }));
      expect(card.missingGlyphs, name).toEqual([]);
      expect(card.width).toBe(BOARD_IMAGE_WIDTH);
    }
  });

  it("shows points, active score, rank, streak and categories: changing any one changes the picture", async () => {
    const base = decodePng((await renderProfileCard(profile())).png);
    const changes: Array<Partial<ProfileView>> = [
      { points: { total: 1, active: 98_765 } },
      { points: { total: 123_456, active: 1 } },
      { rank: null },
      { streak: 40 },
      { categories: [{ slug: "code", verified: 9 }] },
      { hidden: true },
    ];
    for (const change of changes) {
      const other = decodePng((await renderProfileCard(profile(change))).png);
      expect(differingPixels(base, other), JSON.stringify(change)).toBeGreaterThan(50);
    }
  });

  it("is a PNG attachment named after the member", async () => {
    const attachment = await profileCardAttachment(profile());
    expect(attachment.filename).toBe("profile-7.png");
    expect(attachment.contentType).toBe("image/png");
    expect(decodePng(attachment.content as Uint8Array).width).toBe(BOARD_IMAGE_WIDTH);
  });
});
