// `npm run bench pictures`: how long a leaderboard picture takes to draw, and
// what drawing costs in memory. No database: the boards are built in memory
// with names in every script the pictures draw (Latin with accents, Cyrillic,
// Greek, Arabic, Hebrew, CJK, emoji).
//
// Times the first picture of the process (fonts read, satori's WebAssembly
// compiled, the CJK and emoji subsets lent), then boards of 10, 25 (the
// largest a chat board has) and 100 rows, the profile card and the 1200×630
// Open Graph card; then draws the 100-row board 30 more times and reports the
// resident memory before and after, so a leak shows as growth.
import os from "node:os";
import type { LeaderboardRow, LeaderboardView } from "../src/app/leaderboard.ts";
import { renderBoardOpenGraph, renderBoardPicture } from "../src/views/boardImage.ts";
import { renderProfileCard } from "../src/views/profileCard.ts";
import { SCRIPT_NAMES, sampleProfile } from "../test/views/pictures/fixtures.ts";
import { log, quantile, round } from "./support.ts";

const NAMES = [...SCRIPT_NAMES, "long_name_".repeat(8), "Zoë"];
const RUNS = 15;
const LEAK_RUNS = 30;

function board(rows: number): LeaderboardView {
  const row = (i: number): LeaderboardRow => ({
    rank: i + 1,
    memberId: i + 1,
    name: `${NAMES[i % NAMES.length] ?? "member"} ${i + 1}`,
    points: 500_000 - i * 1_234,
    verified: 3,
    streak: i % 7,
    isCaller: false,
  });
  return {
    windowLabel: "last 7 days",
    score: "total",
    category: null,
    rows: Array.from({ length: rows }, (_, i) => row(i)),
    callerRow: { ...row(rows + 40), isCaller: true },
  };
}

const profile = sampleProfile({
  name: "Алиса Петрова 🚀",
  categories: [
    { slug: "docs", verified: 7 },
    { slug: "переводы", verified: 3 },
    { slug: "代码", verified: 2 },
  ],
});

async function millis(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function samples(work: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const all: number[] = [];
  for (let i = 0; i < RUNS; i++) all.push(await millis(work));
  return { p50: round(quantile(all, 0.5), 1), p95: round(quantile(all, 0.95), 1) };
}

const mb = (bytes: number): number => round(bytes / 1024 / 1024, 1);

export async function runPicturesBench(): Promise<void> {
  log(`pictures: ${os.cpus().length} CPUs, load ${round(os.loadavg()[0] ?? 0, 2)}`);
  const rssBefore = process.memoryUsage().rss;
  const first = await millis(() => renderBoardPicture(board(25), "Cairn Builders — Строители"));
  const rows: Array<[string, string, string]> = [
    ["first picture of the process (25 rows)", `${round(first, 0)} ms`, ""],
  ];
  for (const size of [10, 25, 100]) {
    const b = board(size);
    const t = await samples(() => renderBoardPicture(b, "Cairn Builders"));
    rows.push([`board, ${size} rows (+ caller)`, `${t.p50} ms`, `${t.p95} ms`]);
  }
  const card = await samples(() => renderProfileCard(profile));
  rows.push(["profile card", `${card.p50} ms`, `${card.p95} ms`]);
  const og = await samples(() => renderBoardOpenGraph(board(25), "Cairn Builders"));
  rows.push(["Open Graph card, 1200×630", `${og.p50} ms`, `${og.p95} ms`]);
  const big = board(100);
  const rssWarm = process.memoryUsage().rss;
  for (let i = 0; i < LEAK_RUNS; i++) await renderBoardPicture(big, "Cairn Builders");
  const rssAfter = process.memoryUsage().rss;
  rows.push([
    "resident memory: start / warm / after 30 more 100-row boards",
    `${mb(rssBefore)} / ${mb(rssWarm)} / ${mb(rssAfter)} MB`,
    "",
  ]);
  const picture = await renderBoardPicture(big, "Cairn Builders");
  rows.push([
    "100-row board PNG",
    `${picture.width}×${picture.height}, ${round(picture.png.length / 1024, 0)} KiB`,
    picture.missingGlyphs.length === 0 ? "no missing glyph" : `missing: ${picture.missingGlyphs.join("")}`,
  ]);
  process.stdout.write(
    `${["what | p50 | p95", "--- | --- | ---", ...rows.map((r) => r.join(" | "))].join("\n")}\n`,
  );
  log(`load at the end ${round(os.loadavg()[0] ?? 0, 2)}`);
}
