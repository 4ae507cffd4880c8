import type { LeaderboardRow, LeaderboardView } from "../app/leaderboard.ts";
import { formatPoints } from "../core/points.ts";
import { box, renderPicture, type Picture, type PictureChild, type PictureNode } from "./pictures/render.ts";
import { fitText } from "./pictures/text.ts";
import { memberName } from "./memberName.ts";

export const BOARD_IMAGE_WIDTH = 720;
/** The Open Graph size link previews (Discord, Telegram, the web) expect. */
export const OPEN_GRAPH_SIZE = { width: 1200, height: 630 } as const;
/** A picture taller than this many rows is unreadable in a chat; the board it shows is cut there. */
export const MAX_PICTURE_ROWS = 100;

export const PALETTE = {
  page: "#fbfaf7",
  band: "#d8dfea",
  stripe: "#eceff4",
  caller: "#fde9b3",
  ink: "#1f2328",
  muted: "#57606a",
} as const;

/** Sizes of one drawing of a board: the chat picture and the Open Graph card differ only in these. */
export interface Scale {
  readonly margin: number;
  readonly title: number;
  readonly subtitle: number;
  readonly text: number;
  readonly row: number;
  readonly rank: number;
  readonly streak: number;
  readonly points: number;
  /** Columns of a name before it is cut (see fitText). */
  readonly nameColumns: number;
  readonly titleColumns: number;
}

const CHAT: Scale = {
  margin: 24,
  title: 28,
  subtitle: 18,
  text: 20,
  row: 40,
  rank: 56,
  streak: 130,
  points: 150,
  nameColumns: 28,
  titleColumns: 44,
};

const OPEN_GRAPH: Scale = {
  margin: 48,
  title: 52,
  subtitle: 30,
  text: 34,
  row: 58,
  rank: 90,
  streak: 220,
  points: 240,
  nameColumns: 30,
  titleColumns: 40,
};

/** Rows the Open Graph card has room for under its header. */
const OPEN_GRAPH_ROWS = 7;

/** One line of the board: a member's row, or a note (the empty board, the gap before the caller). */
type BoardLine = { readonly row: LeaderboardRow } | { readonly note: string };

/**
 * A leaderboard as a PNG: the community and window on a band, then one row
 * per member with rank, name (cut to fit at a grapheme), streak and points,
 * the caller's row marked and, when they are outside the rows shown, added
 * after a gap. Any script draws as its glyphs (see pictures/fonts.ts).
 */
export function renderBoardPicture(board: LeaderboardView, community: string): Promise<Picture> {
  const lines = boardLines(board, MAX_PICTURE_ROWS);
  return renderPicture(boardNode(board, community, lines, CHAT), { width: BOARD_IMAGE_WIDTH });
}

/** The PNG bytes of `renderBoardPicture`. */
export async function renderBoardImage(board: LeaderboardView, community: string): Promise<Buffer> {
  return (await renderBoardPicture(board, community)).png;
}

/** The board as a 1200×630 Open Graph card: the header and the top rows, for link previews. */
export function renderBoardOpenGraph(board: LeaderboardView, community: string): Promise<Picture> {
  const lines = boardLines({ ...board, callerRow: null }, OPEN_GRAPH_ROWS);
  return renderPicture(boardNode(board, community, lines, OPEN_GRAPH), OPEN_GRAPH_SIZE);
}

function boardLines(board: LeaderboardView, maxRows: number): BoardLine[] {
  if (board.rows.length === 0) return [{ note: "Nobody has points here yet." }];
  const rows: BoardLine[] = board.rows.slice(0, maxRows).map((row) => ({ row }));
  return board.callerRow === null ? rows : [...rows, { note: "…" }, { row: board.callerRow }];
}

/** "Leaderboard · last 7 days · docs · active score". */
export function boardSubtitle(board: LeaderboardView): string {
  return [
    "Leaderboard",
    board.windowLabel,
    ...(board.category === null ? [] : [board.category]),
    board.score === "active" ? "active score" : "points",
  ].join(" · ");
}

function boardNode(
  board: LeaderboardView,
  community: string,
  lines: readonly BoardLine[],
  scale: Scale,
): PictureNode {
  return box(
    { flexDirection: "column", width: "100%", height: "100%", background: PALETTE.page, color: PALETTE.ink },
    header(community, boardSubtitle(board), scale),
    box(
      { flexDirection: "column", padding: `${scale.margin / 3}px 0` },
      ...lines.map((line, i) => lineNode(line, i % 2 === 1, scale)),
    ),
  );
}

/** The band at the top of a picture: a title (the community) and what the picture shows. */
export function header(title: string, subtitle: string, scale: Scale = CHAT): PictureNode {
  return box(
    {
      flexDirection: "column",
      background: PALETTE.band,
      padding: `${scale.margin * 0.6}px ${scale.margin}px`,
    },
    box({ fontSize: scale.title, fontWeight: 700, whiteSpace: "nowrap" }, fitText(title, scale.titleColumns)),
    box({ fontSize: scale.subtitle, color: PALETTE.muted, whiteSpace: "nowrap" }, fitText(subtitle, 80)),
  );
}

function lineNode(line: BoardLine, shaded: boolean, scale: Scale): PictureNode {
  const background =
    "row" in line && line.row.isCaller ? PALETTE.caller : shaded ? PALETTE.stripe : PALETTE.page;
  const style = {
    height: scale.row,
    alignItems: "center",
    padding: `0 ${scale.margin}px`,
    fontSize: scale.text,
    background,
  } as const;
  if ("note" in line)
    return box({ ...style, color: PALETTE.muted, paddingLeft: scale.margin + scale.rank }, line.note);
  return box(style, ...rowCells(line.row, scale));
}

function rowCells(row: LeaderboardRow, scale: Scale): PictureChild[] {
  const name = row.isCaller
    ? `${fitText(memberName(row.name, row.kind), scale.nameColumns - 6)} (you)`
    : fitText(memberName(row.name, row.kind), scale.nameColumns);
  return [
    cell({ width: scale.rank, justifyContent: "flex-end", color: PALETTE.muted }, `${row.rank}.`),
    cell({ flexGrow: 1, flexShrink: 1, marginLeft: scale.text * 0.6 }, name),
    cell(
      { width: scale.streak, justifyContent: "flex-end", color: PALETTE.muted },
      row.streak > 0 ? `${row.streak}w streak` : "",
    ),
    cell(
      { width: scale.points, justifyContent: "flex-end", fontWeight: 700 },
      `${formatPoints(row.points)} pts`,
    ),
  ];
}

function cell(style: Parameters<typeof box>[0], text: string): PictureNode {
  return box({ overflow: "hidden", whiteSpace: "nowrap", flexShrink: 0, ...style }, text);
}
