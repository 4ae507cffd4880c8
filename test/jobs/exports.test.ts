// Large exports asked for by /export run as a job: the moderator is answered at
// once, and the file (or the refusal) reaches them privately when it is built.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { INLINE_EXPORT_MEMBERS } from "../../src/app/exports.ts";
import { appendLedgerEntries } from "../../src/app/ledger.ts";
import { catalog } from "../../src/commands/catalog.ts";
import { runTextCommand } from "../../src/commands/dispatch.ts";
import { SENT_AGAIN_LINE } from "../../src/jobs/delivery.ts";
import { commandJobs } from "../../src/jobs/exports.ts";
import { startWorkers, type JobRuntime } from "../../src/jobs/runtime.ts";
import { renderPlainText } from "../../src/views/plainText.ts";
import { newCommunity, type TestCommunity } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";
import { FakePlatform, realClockDeps, waitFor } from "./support.ts";

const database = useTestDatabase();

describe("/export of a large community", () => {
  let runtime: JobRuntime;
  let platform: FakePlatform;
  let exportDir: string;
  let community: TestCommunity;

  beforeEach(async () => {
    exportDir = await mkdtemp(path.join(tmpdir(), "cairn-export-job-"));
    community = await newCommunity(database);
    platform = new FakePlatform();
    runtime = await startWorkers({
      databaseUrl: database.url,
      redisUrl: undefined,
      deps: realClockDeps(database),
      platforms: [platform],
      settings: { exportDir, cardEditDelayMs: 0 },
      dispatcherPollMs: 50,
    });
    // One more member with points than an inline export takes.
    const members = await database.db.member.createManyAndReturn({
      data: Array.from({ length: INLINE_EXPORT_MEMBERS + 1 }, (_, i) => ({
        communityId: community.communityId,
        displayName: `member ${i + 1}`,
      })),
      select: { id: true },
    });
    await database.db.$transaction((tx) =>
      appendLedgerEntries(
        tx,
        community.communityId,
        members.map((m) => ({
          kind: "ADJUSTMENT" as const,
          memberId: m.id,
          points: 100,
          contributionId: null,
          actorId: null,
          reason: "seed",
        })),
        new Date(),
      ),
    );
  });

  afterEach(async () => {
    await runtime.close();
    await rm(exportDir, { recursive: true, force: true });
  });

  async function exportAs(text: string): Promise<string> {
    const view = await runTextCommand(
      catalog,
      {
        deps: community.deps,
        chat: community.chat,
        user: { ...community.user("mod"), isPlatformModerator: true },
        jobs: commandJobs(runtime.queues),
      },
      text,
    );
    if (view === null) throw new Error("no answer");
    return renderPlainText(view);
  }

  /** The background job an answer to /export names. */
  function jobOf(answer: string): string {
    const id = /in the background \(job (\d+)\)/.exec(answer)?.[1];
    if (id === undefined) throw new Error(`no background job in: ${answer}`);
    return id;
  }

  const sentToModerator = (): string[] =>
    platform.calls.filter((c) => c.op === "post" && c.target.includes(":dm:")).map((c) => c.text);

  it("answers at once, then sends the moderator the built file privately", async () => {
    const answer = await exportAs("/export all");
    expect(answer).toMatch(/being built in the background \(job \d+\)/);
    await runtime.settle();
    const [sent, ...more] = sentToModerator();
    expect(more).toEqual([]);
    const name = /Your export is ready: (\S+)/.exec(sent ?? "")?.[1];
    expect(name).toBeDefined();
    expect(sent).toContain(`(file: ${name ?? ""})`);
    const rows = (await readFile(path.join(exportDir, name ?? ""), "utf8")).trim().split("\n");
    expect(rows).toHaveLength(1 + INLINE_EXPORT_MEMBERS + 1);
  });

  it("the moderator's reply names the file but never reveals a server path", async () => {
    await exportAs("/export all");
    await runtime.settle();
    const [sent] = sentToModerator();
    expect(sent).toMatch(/Your export is ready: export-\d+-[\w-]+\.csv/);
    expect(sent).not.toContain(exportDir);
    expect(sent).not.toContain(path.sep + "export-");
  });

  it("a file over the platform's upload limit is reported to the moderator, not dropped", async () => {
    Object.assign(platform, { uploadLimitBytes: 1024 });
    // What the adapters make of a 413 (request entity too large): a permanent failure.
    platform.failNext({ kind: "permanent", reason: "bad_request" });
    await exportAs("/export all");
    await runtime.settle();
    const [, report, ...more] = sentToModerator();
    expect(more).toEqual([]);
    expect(report).toMatch(
      /^✗ Your export \(\d+\.\d MB\) could not be sent \(the upload limit is 0\.0 MB\); ask for a shorter window/,
    );
    expect(report?.split("\n")).toHaveLength(1);
    expect(report).not.toContain(exportDir);
  });

  it("a second background export while the first is still queued gets a one-line refusal", async () => {
    await runtime.queues.exports.pause();
    try {
      expect(await exportAs("/export all")).toMatch(/in the background/);
      const second = await exportAs("/export all");
      expect(second).toMatch(/^✗ Your previous background export is still being built/);
      expect(second.split("\n")).toHaveLength(1);
    } finally {
      await runtime.queues.exports.resume();
    }
    await runtime.settle();
    expect(sentToModerator()).toEqual([expect.stringMatching(/Your export is ready/)]);
    expect(await exportAs("/export all")).toMatch(/in the background/);
    await runtime.settle();
  });

  it("a recorded export whose file could not be saved records its payout run once when the job is retried", async () => {
    // The run is committed before the file is written: with the export folder a file, the write fails after it.
    await rm(exportDir, { recursive: true });
    await writeFile(exportDir, "not a folder");
    const id = jobOf(await exportAs("/export all 600 record"));
    await waitFor(
      async () => (await runtime.queues.exports.getJob(id))?.attemptsMade ?? 0,
      (attempts) => attempts >= 1,
    );
    expect(sentToModerator()).toEqual([]);
    await rm(exportDir);
    await waitFor(
      async () => (await runtime.queues.exports.getJob(id))?.getState(),
      (state) => state === "completed",
    );
    await runtime.settle();

    const runs = await database.db.payoutRun.findMany({
      where: { communityId: community.communityId },
      select: { id: true, requestKey: true },
    });
    expect(runs).toEqual([{ id: expect.any(Number) as number, requestKey: `export-job:${id}` }]);
    const [sent, ...more] = sentToModerator();
    expect(more).toEqual([]);
    const name = /Your export is ready: (\S+)/.exec(sent ?? "")?.[1] ?? "";
    const rows = (await readFile(path.join(exportDir, name), "utf8")).trim().split("\n");
    expect(rows).toHaveLength(1 + INLINE_EXPORT_MEMBERS + 1);
    const lines = await database.db.payoutLine.count({ where: { runId: runs[0]?.id ?? 0 } });
    expect(lines).toBe(INLINE_EXPORT_MEMBERS + 1);
  });

  /** The worker dies right after the platform took the file, `times` times, before the job could save that. */
  function dieAfterSending(times: number): void {
    const post = platform.post.bind(platform);
    let deaths = times;
    platform.post = async (target, view) => {
      const ref = await post(target, view);
      if (deaths-- > 0) throw new Error("the worker died after sending");
      return ref;
    };
  }

  /** Asks for `/export all` and waits, retries included, until its job completed; answers the job's id. */
  async function exportUntilCompleted(): Promise<string> {
    const id = jobOf(await exportAs("/export all"));
    await waitFor(
      async () => (await runtime.queues.exports.getJob(id))?.getState(),
      (state) => state === "completed",
      20_000,
    );
    return id;
  }

  it("a crash after the file was sent but before that was saved sends it once more, saying so", async () => {
    dieAfterSending(1);
    const id = await exportUntilCompleted();
    const [first, again, ...more] = sentToModerator();
    expect(more).toEqual([]);
    expect(first).not.toContain(SENT_AGAIN_LINE);
    expect(again).toContain(SENT_AGAIN_LINE);
    expect(again?.replace(`\n${SENT_AGAIN_LINE}`, "")).toBe(first);
    const finished = await runtime.queues.exports.getJob(id);
    expect((finished?.data as { posting?: unknown }).posting).toBeUndefined();
  }, 30_000);

  it("interrupted twice, sends no third file and no 'could not be sent' report", async () => {
    dieAfterSending(10);
    await exportUntilCompleted();
    const sent = sentToModerator();
    expect(sent).toHaveLength(2);
    expect(sent.every((text) => /Your export is ready/.test(text))).toBe(true);
  }, 30_000);

  it("sends the refusal instead when the export cannot be built", async () => {
    const answer = await exportAs("/export season:nope");
    expect(answer).toMatch(/in the background/);
    await runtime.settle();
    expect(sentToModerator()).toEqual([expect.stringMatching(/^✗ There is no season called nope/)]);
  });
});
