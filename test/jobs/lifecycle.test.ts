// Jobs following the ledger's changes, on both backends: a moderator's extension
// moves a contribution's deadline job, and `/config set` moves a community's
// leaderboard scheduler.
import { afterEach, describe, expect, it } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import type { Clock, Deps } from "../../src/app/deps.ts";
import { extendDeadline } from "../../src/app/moderation.ts";
import { catalog } from "../../src/commands/catalog.ts";
import { runTextCommand } from "../../src/commands/dispatch.ts";
import { deadlineJobId, voteDeadlineJob } from "../../src/jobs/deadlines.ts";
import { startWorkers, type JobRuntime } from "../../src/jobs/runtime.ts";
import { digestSchedulerId, leaderboardSchedulerId } from "../../src/jobs/schedules.ts";
import { renderPlainText } from "../../src/views/plainText.ts";
import { newCommunity, valueOf } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";
import { BACKENDS, FakePlatform, cleanupNamespace, queueSettings, waitFor } from "./support.ts";

const database = useTestDatabase();

/** The real time, moved forward by `offsetMs` (what the console's /wait does to the deadline jobs' clock). */
class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

describe.each(BACKENDS)("jobs following the ledger on %s", (kind) => {
  let runtime: JobRuntime;
  let settings: ReturnType<typeof queueSettings>;
  let clock: ShiftedClock;
  let deps: Deps;

  async function start(): Promise<void> {
    settings = queueSettings(kind, database.url);
    clock = new ShiftedClock();
    deps = { db: database.db, store: database.store, clock };
    runtime = await startWorkers({
      ...settings,
      deps,
      platforms: [new FakePlatform()],
      settings: { cardEditDelayMs: 0 },
      dispatcherPollMs: 50,
    });
  }
  afterEach(async () => {
    await runtime.close();
    await cleanupNamespace(settings);
  });

  it("leaves an extended contribution pending when its old deadline job fires, and decides it once at the new deadline", async () => {
    const community = await newCommunity(database, { config: { quorum: 3, maxSubmissionsPerDay: 100 } });
    await start();
    const alice = await community.member("alice");
    const moderator = await community.member("maria", { moderator: true });
    const logged = valueOf(
      await logContribution(deps, alice, {
        categorySlug: "docs",
        title: "Guide",
        links: ["https://example.org/guide"],
      }),
    );
    // Near its deadline: the old job is due in 3 s.
    const oldClosesAt = new Date(Date.now() + 3000);
    await database.db.contribution.update({ where: { id: logged.id }, data: { closesAt: oldClosesAt } });
    await runtime.reconcile();
    const oldJobId = deadlineJobId(logged.id, oldClosesAt);
    expect(await runtime.queues.deadlines.getJobState(oldJobId)).toBe("delayed");

    const extended = valueOf(
      await extendDeadline(deps, moderator, {
        number: logged.number,
        hours: 2,
        reason: "waiting for the docs team",
      }),
    );
    expect(extended.closesAt.getTime()).toBe(oldClosesAt.getTime() + 2 * 3_600_000);

    await waitFor(
      () => runtime.queues.deadlines.getJobState(oldJobId),
      (state) => state === "completed",
      15_000,
    );
    const oldJob = await runtime.queues.deadlines.getJob(oldJobId);
    expect(oldJob?.returnvalue).toEqual({ decided: null, rescheduledTo: extended.closesAt.toISOString() });
    expect((await database.db.contribution.findUniqueOrThrow({ where: { id: logged.id } })).status).toBe(
      "PENDING",
    );
    expect(
      await database.db.statusChange.count({ where: { contributionId: logged.id, fromStatus: "PENDING" } }),
    ).toBe(0);
    const newJobId = deadlineJobId(logged.id, extended.closesAt);
    expect(await runtime.queues.deadlines.getJobState(newJobId)).toBe("delayed");

    // Two hours later by the ledger's clock: the new deadline job runs, once.
    clock.offsetMs = extended.closesAt.getTime() - Date.now() + 1000;
    await runtime.settle();
    await waitFor(
      () => runtime.queues.deadlines.getJobState(newJobId),
      (state) => state === "completed",
      15_000,
    );
    const decided = await database.db.contribution.findUniqueOrThrow({ where: { id: logged.id } });
    expect(decided.status).toBe("EXPIRED");
    expect(decided.decidedAt?.getTime()).toBeGreaterThanOrEqual(extended.closesAt.getTime());
    expect(
      await database.db.statusChange.count({ where: { contributionId: logged.id, fromStatus: "PENDING" } }),
    ).toBe(1);
    expect(
      await database.db.outboxMessage.count({
        where: { communityId: community.communityId, kind: "DECISION" },
      }),
    ).toBe(1);

    // The old job running again (a retry, a second worker) changes nothing.
    if (oldJob === undefined) throw new Error("old deadline job gone");
    const again = await voteDeadlineJob.handle(
      runtime.context,
      { contributionId: logged.id, closesAt: oldClosesAt.toISOString() },
      { job: oldJob, token: null },
    );
    expect(again).toEqual({ decided: null });
    expect(
      await database.db.statusChange.count({ where: { contributionId: logged.id, fromStatus: "PENDING" } }),
    ).toBe(1);
  });

  it("schedules the patterns BullMQ itself takes (`0 9 ? * MON#1`, `@weekly`) and names their next runs", async () => {
    const community = await newCommunity(database);
    await start();
    const invocation = {
      deps,
      chat: community.chat,
      user: { ...community.user("maria"), isPlatformModerator: true },
    };
    const say = async (line: string): Promise<string> => {
      const answer = await runTextCommand(catalog, invocation, line);
      return answer === null ? "" : renderPlainText(answer);
    };
    const answer = await say("/config set leaderboardCron 0 9 ? * MON#1");
    expect(answer).toContain("leaderboardCron is now 0 9 ? * MON#1.");
    expect(answer).toMatch(/Next runs: \d{4}-\d\d-\d\d 09:00, \d{4}-\d\d-\d\d 09:00 \(UTC\)\./);
    const id = leaderboardSchedulerId(community.communityId);
    const monthly = await waitFor(
      () => runtime.queues.schedules.getJobScheduler(id),
      (s) => s?.pattern === "0 9 ? * MON#1",
      15_000,
    );
    // The first Monday of a month, 09:00 UTC.
    const next = new Date(monthly?.next ?? 0);
    expect([next.getUTCDay(), next.getUTCDate() <= 7, next.getUTCHours()]).toEqual([1, true, 9]);

    expect(await say("/config set digestCron @weekly")).toContain("digestCron is now @weekly.");
    await waitFor(
      () => runtime.queues.schedules.getJobScheduler(digestSchedulerId(community.communityId)),
      (s) => s?.pattern === "@weekly",
      15_000,
    );
    expect(await say("/config set digestCron every monday")).toBe(
      "✗ digestCron expects a cron schedule at most once a minute, like 0 9 * * 1, 0 9 ? * MON#1 or @weekly.",
    );
  });

  it("moves the community's leaderboard scheduler to the pattern and time zone set with /config set", async () => {
    const community = await newCommunity(database);
    await start();
    const id = leaderboardSchedulerId(community.communityId);
    const before = await runtime.queues.schedules.getJobScheduler(id);
    expect(before).toMatchObject({ pattern: "0 9 * * 1", tz: "UTC" });

    const invocation = {
      deps,
      chat: community.chat,
      user: { ...community.user("maria"), isPlatformModerator: true },
    };
    for (const line of ["/config set leaderboardCron 30 18 * * 5", "/config set timezone Asia/Tokyo"]) {
      const answer = await runTextCommand(catalog, invocation, line);
      expect(answer === null ? "" : renderPlainText(answer)).toContain("is now");
    }
    const after = await waitFor(
      () => runtime.queues.schedules.getJobScheduler(id),
      (s) => s?.pattern === "30 18 * * 5" && s.tz === "Asia/Tokyo",
      15_000,
    );
    // Its next run is a Friday 18:30 in Tokyo (09:30 UTC), within a week.
    const next = new Date(after?.next ?? 0);
    expect(next.getUTCDay()).toBe(5);
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([9, 30]);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    expect((await runtime.queues.schedules.getJobSchedulers(0, -1)).filter((s) => s.key === id)).toHaveLength(
      1,
    );
  });
});
