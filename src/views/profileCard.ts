import type { ProfileView } from "../app/profile.ts";
import { formatPoints } from "../core/points.ts";
import { BOARD_IMAGE_WIDTH, header, PALETTE } from "./boardImage.ts";
import { box, renderPicture, type Picture, type PictureNode } from "./pictures/render.ts";
import { fitText } from "./pictures/text.ts";
import { memberName } from "./memberName.ts";
import type { Attachment } from "./view.ts";

/** Categories a card has room for; the rest are counted. */
const CARD_CATEGORIES = 6;

/**
 * A member's profile as a PNG: their name, then points, active score, rank
 * and streak as tiles, then the categories of their verified work. The same
 * renderer and fonts as the leaderboard picture.
 */
export function renderProfileCard(profile: ProfileView): Promise<Picture> {
  return renderPicture(profileNode(profile), { width: BOARD_IMAGE_WIDTH });
}

function profileNode(profile: ProfileView): PictureNode {
  const subtitle = profile.hidden ? "Profile · hidden from public boards" : "Profile";
  return box(
    { flexDirection: "column", width: "100%", background: PALETTE.page, color: PALETTE.ink },
    header(memberName(profile.name, profile.kind), subtitle),
    box(
      { padding: "20px 24px 8px" },
      ...[
        tile("Points", formatPoints(profile.points.total)),
        tile("Active score", formatPoints(profile.points.active)),
        tile("Rank", profile.rank === null ? "—" : `#${profile.rank}`),
        tile("Streak", `${profile.streak} wk`),
      ].map((node, i) => box({ flexGrow: 1, flexBasis: 0, marginLeft: i === 0 ? 0 : 12 }, node)),
    ),
    categories(profile.categories),
  );
}

function tile(label: string, value: string): PictureNode {
  return box(
    {
      flexDirection: "column",
      flexGrow: 1,
      padding: "12px 14px",
      background: PALETTE.stripe,
      borderRadius: 8,
    },
    box({ fontSize: 15, color: PALETTE.muted }, label),
    box({ fontSize: 26, fontWeight: 700, whiteSpace: "nowrap", overflow: "hidden" }, value),
  );
}

function categories(list: ProfileView["categories"]): PictureNode {
  const shown = list.slice(0, CARD_CATEGORIES);
  const more = list.length - shown.length;
  const chips = shown.map((c) => chip(`${fitText(c.slug, 18)} · ${c.verified}`));
  return box(
    { flexDirection: "column", padding: "12px 24px 22px" },
    box({ fontSize: 15, color: PALETTE.muted, marginBottom: 8 }, "Categories"),
    box(
      { flexWrap: "wrap", fontSize: 18 },
      ...(chips.length === 0 ? [box({ color: PALETTE.muted }, "None yet")] : chips),
      ...(more > 0 ? [box({ color: PALETTE.muted, padding: "4px 0" }, `and ${more} more`)] : []),
    ),
  );
}

function chip(text: string): PictureNode {
  return box(
    { padding: "4px 12px", marginRight: 8, marginBottom: 8, borderRadius: 14, background: PALETTE.band },
    text,
  );
}

/** The profile card as a file for a view, named `profile-<member>.png`. */
export async function profileCardAttachment(profile: ProfileView): Promise<Attachment> {
  const card = await renderProfileCard(profile);
  return { filename: `profile-${profile.memberId}.png`, contentType: "image/png", content: card.png };
}
