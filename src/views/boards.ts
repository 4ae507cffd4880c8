import type { LeaderboardRow, LeaderboardView } from "../app/leaderboard.ts";
import type { ProfileView } from "../app/profile.ts";
import { AGENT_MARK, memberName } from "./memberName.ts";
import { formatPoints } from "../core/points.ts";
import { privateView, publicView, type View } from "./view.ts";

function boardLine(row: LeaderboardRow): string {
  const streak = row.streak > 0 ? `, ${row.streak}-week streak` : "";
  return `${row.rank}. ${memberName(row.name, row.kind)} — ${formatPoints(row.points)} pts, ${row.verified} verified${streak}${row.isCaller ? " (you)" : ""}`;
}

/** A leaderboard as text rows; public because boards are meant to be seen. */
export function leaderboardView(board: LeaderboardView): View {
  const score = board.score === "active" ? "active score" : "points";
  const category = board.category === null ? "" : `, ${board.category}`;
  const members =
    board.members === "agents" ? ", agents" : board.members === "all" ? ", people and agents" : "";
  const title = `Leaderboard — ${board.windowLabel}${category}${members} (${score})`;
  if (board.rows.length === 0) return publicView(["Nobody has points here yet."], { title });
  const caller = board.callerRow === null ? [] : ["…", boardLine(board.callerRow)];
  return publicView([...board.rows.map(boardLine), ...caller], { title });
}

/** `/profile`. */
export function profileView(profile: ProfileView): View {
  const counts = Object.entries(profile.counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status.toLowerCase()}`)
    .join(", ");
  const recent = profile.recent.map((c) => `  #${c.number} [${c.status.toLowerCase()}] ${c.title}`);
  return privateView(
    [
      ...(profile.kind === "AGENT"
        ? [`Agent member ${AGENT_MARK}; its owner ${profile.ownerName ?? "(unknown)"} answers for it`]
        : []),
      `Points: ${formatPoints(profile.points.total)} total, ${formatPoints(profile.points.active)} active`,
      `Rank: ${profile.rank === null ? "not on public boards" : `#${profile.rank}`}${profile.hidden ? " (hidden from boards)" : ""}`,
      `Streak: ${profile.streak} week(s)`,
      `Contributions: ${counts === "" ? "none yet" : counts}`,
      `Categories: ${profile.categories.map((c) => `${c.slug} (${c.verified})`).join(", ") || "none yet"}`,
      `Accounts: ${profile.identities.map((i) => `${i.platform.toLowerCase()} ${i.displayName}`).join(", ")}`,
      ...(recent.length === 0 ? [] : ["Recent:", ...recent]),
    ],
    { title: `Profile of ${memberName(profile.name, profile.kind)}` },
  );
}
