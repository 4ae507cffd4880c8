import { z } from "zod";
import { reviewQueue } from "../app/browse.ts";
import type { Deps } from "../app/deps.ts";
import { scheduledLeaderboard, type LeaderboardView } from "../app/leaderboard.ts";
import { communitySchedule, liveCommunity } from "../app/schedules.ts";
import { renderBoardImage } from "../views/boardImage.ts";
import { leaderboardView } from "../views/boards.ts";
import { formatTime } from "../views/contribution.ts";
import { publicView, type Attachment, type View } from "../views/view.ts";
import type { OutgoingMessage } from "./compose.ts";
import { defineJob, type JobContext, type JobRun } from "./definition.ts";
import { deliverMessages, later } from "./delivery.ts";
import type { Queues } from "./queues.ts";

export const leaderboardSchedulerId = (communityId: number): string => `leaderboard-${communityId}`;
export const digestSchedulerId = (communityId: number): string => `digest-${communityId}`;

const communityPayload = z.object({ communityId: z.number().int().positive() });
const scheduleDefaults = {
  attempts: 5,
  backoff: { type: "exponential", delay: 5000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 1000 },
} as const;

export const leaderboardJob = defineJob({
  queue: "schedules",
  name: "leaderboard",
  payload: communityPayload,
  defaults: scheduleDefaults,
  async handle(ctx, { communityId }, run) {
    const community = await liveCommunity(ctx.deps, communityId);
    if (community === null) return { posted: false };
    const board = await scheduledLeaderboard(ctx.deps, communityId, { kind: "last7" });
    if (!board.ok) return { posted: false };
    // The picture is drawn here, never carried in the job's data (which stays JSON).
    const picture = await boardPicture(board.value, community.name, ctx.deps.clock.now());
    return post(ctx, run, {
      communityId,
      audience: { kind: "leaderboard" },
      replaces: null,
      view: { ...leaderboardView(board.value), attachment: picture },
    });
  },
});

export const digestJob = defineJob({
  queue: "schedules",
  name: "moderator-digest",
  payload: communityPayload,
  defaults: scheduleDefaults,
  async handle(ctx, { communityId }, run) {
    if ((await liveCommunity(ctx.deps, communityId)) === null) return { posted: false };
    const view = await digestView(ctx.deps, communityId);
    if (view === null) return { posted: false };
    return post(ctx, run, { communityId, audience: { kind: "modlog" }, replaces: null, view });
  },
});

const DIGEST_HORIZON_MS = 24 * 3_600_000;

/** The daily moderator digest: pending items closing within a day, open appeals, unanswered needs-info; null when all is quiet. */
export async function digestView(deps: Deps, communityId: number): Promise<View | null> {
  const queue = await reviewQueue(deps, { communityId, memberId: 0, isModerator: true, spaceId: null });
  if (!queue.ok) return null;
  const soon = deps.clock.now().getTime() + DIGEST_HORIZON_MS;
  const closing = queue.value.pending.filter((c) => c.closesAt.getTime() <= soon);
  const { appeals, questions, expired } = queue.value;
  if (closing.length + appeals.length + questions.length + expired.length === 0) return null;
  const lines = [
    `Closing within a day (${closing.length}):`,
    ...closing.map((c) => `  #${c.number} ${c.title} — closes ${formatTime(c.closesAt)}`),
    `Expired without quorum, waiting for a moderator (${queue.value.counts.expired}):`,
    ...expired.map((c) => `  #${c.number} ${c.title}`),
    `Open appeals (${queue.value.counts.appeals}):`,
    ...appeals.map((a) => `  #${a.number} ${a.title} — ${a.appellant}: ${a.reason}`),
    `Needs-info waiting for an answer (${queue.value.counts.questions}):`,
    ...questions.map((q) => `  #${q.number} ${q.title} — ${q.asker} asked: ${q.question}`),
  ];
  return publicView(lines, { title: "Moderator digest" });
}

async function post(ctx: JobContext, run: JobRun, message: OutgoingMessage): Promise<{ posted: boolean }> {
  const data = run.job.data as { done?: string[] };
  const done = new Set(data.done ?? []);
  const progress = { done, save: () => run.job.updateData({ ...data, done: [...done] }) };
  const { sent } = await later(ctx, run, () => deliverMessages(ctx, [message], progress));
  return { posted: sent > 0 };
}

/** The scheduled board as a PNG, named `board-<community>-<date>.png`. */
export async function boardPicture(
  board: LeaderboardView,
  communityName: string,
  now: Date,
): Promise<Attachment> {
  const slug = communityName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return {
    filename: `board-${slug || "community"}-${now.toISOString().slice(0, 10)}.png`,
    contentType: "image/png",
    content: await renderBoardImage(board, communityName),
  };
}

/**
 * Brings a community's leaderboard and digest schedulers in line with its
 * configuration (cron patterns in its time zone); removes them when the
 * community is gone. Unchanged schedulers are left alone.
 */
export async function syncCommunitySchedules(queues: Queues, deps: Deps, communityId: number): Promise<void> {
  const config = await communitySchedule(deps, communityId);
  if (config === null) {
    await removeCommunitySchedules(queues, communityId);
    return;
  }
  const wanted = [
    {
      id: leaderboardSchedulerId(communityId),
      on: config.leaderboardPosts,
      pattern: config.leaderboardCron,
      job: leaderboardJob,
    },
    { id: digestSchedulerId(communityId), on: true, pattern: config.digestCron, job: digestJob },
  ];
  for (const scheduler of wanted) {
    const existing = await queues.schedules.getJobScheduler(scheduler.id);
    if (!scheduler.on) {
      if (existing !== undefined) await queues.schedules.removeJobScheduler(scheduler.id);
      continue;
    }
    if (existing?.pattern === scheduler.pattern && existing.tz === config.timezone) continue;
    await queues.schedules.upsertJobScheduler(
      scheduler.id,
      { pattern: scheduler.pattern, tz: config.timezone },
      { name: scheduler.job.name, data: { communityId }, opts: scheduler.job.defaults ?? {} },
    );
  }
}

export async function removeCommunitySchedules(queues: Queues, communityId: number): Promise<void> {
  await queues.schedules.removeJobScheduler(leaderboardSchedulerId(communityId));
  await queues.schedules.removeJobScheduler(digestSchedulerId(communityId));
}

/** The community ids that have a scheduler in the queue. */
export async function scheduledCommunityIds(queues: Queues): Promise<Set<number>> {
  const ids = new Set<number>();
  for (const scheduler of await queues.schedules.getJobSchedulers(0, -1)) {
    const match = /^(?:leaderboard|digest)-(\d+)$/.exec(scheduler.key);
    if (match !== null) ids.add(Number(match[1]));
  }
  return ids;
}
