import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

/** Pipes a script into `cairn console` as a person would (`cairn console < script.txt`) and returns the transcript. */
function runConsoleScript(
  env: Record<string, string>,
  script: string,
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", "console"],
      { env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 10_000_000 },
      (error, stdout, stderr) =>
        resolve({ stdout, stderr, code: error === null ? 0 : Number(error.code ?? 1) }),
    );
    child.stdin?.end(script);
  });
}

const script = `
# Two contributions, three verifiers and a moderator.
/as carol
/contribute docs "Installation guide" https://example.org/guide
/as bob
/contribute code "Rewrite the parser" https://github.com/example/cairn/pull/12 with @carol:40 | Faster, with tests
/vote #2 approve
/as dave
/vote #2 approve 4
/vote #2 info Does it handle <b>unicode</b>?
/as bob
/answer #2 Yes, see the new tests.
/as erin
/vote #2 approve 5
/as frank
/vote #2 approve 3
/vote #2 approve
/contribute docs "Same guide again" https://EXAMPLE.org/guide/?utm_source=x
/vote #77 approve
/leaderboard
/review queue
/as mod --mod
/member adjust @dave 1.5 ran the review session
/wait 73h
/export all 1000
/ledger verify
/bogus
/as gina
/as hank
/contribute data "Label set" https://example.org/labels with @gina:50
`;

describe("cairn console reading a script from stdin", () => {
  let database: TestDatabase;
  let dataDir: string;
  let transcript: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), "cairn-console-"));
    const result = await runConsoleScript(
      { DATABASE_URL: database.url, CAIRN_DATA_DIR: dataDir, LOG_LEVEL: "warn", REDIS_URL: "" },
      script,
    );
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    transcript = result.stdout;
  }, 180_000);

  afterAll(async () => {
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The lines printed after `name> command`, up to the next prompt. */
  function replyTo(prompt: string): string {
    const start = transcript.indexOf(`${prompt}\n`);
    expect(start, `no "${prompt}" in the transcript`).toBeGreaterThanOrEqual(0);
    const rest = transcript.slice(start + prompt.length + 1);
    const next = rest.search(/^[a-z]+> /m);
    return next === -1 ? rest : rest.slice(0, next);
  }

  it("echoes each command after the member who typed it", () => {
    expect(transcript).toContain("carol> /contribute docs");
    expect(transcript).toContain("mod> /ledger verify");
  });

  it("logs a contribution and posts its vote card with the buttons as commands", () => {
    const reply = replyTo(`carol> /contribute docs "Installation guide" https://example.org/guide`);
    expect(reply).toMatch(/✓ Logged #1; voting is open until \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
    expect(reply).toContain("[#verification] (card)");
    expect(reply).toContain("[Approve] /vote #1 approve");
    expect(reply).toContain("[Needs info] /vote #1 info <question>");
  });

  it("credits co-authors by share", () => {
    expect(
      replyTo(
        'bob> /contribute code "Rewrite the parser" https://github.com/example/cairn/pull/12 with @carol:40 | Faster, with tests',
      ),
    ).toContain("Credits: bob 60%, carol 40%");
  });

  it("refuses a vote on one's own contribution with a one-line reason", () => {
    expect(replyTo("bob> /vote #2 approve").trim()).toBe("✗ You cannot vote on your own contribution.");
  });

  it("tells the submitter privately about a needs-info question, with the text as typed", () => {
    const reply = replyTo("dave> /vote #2 info Does it handle <b>unicode</b>?");
    expect(reply).toContain("[to bob]");
    expect(reply).toContain('dave asks about #2 "Rewrite the parser": Does it handle <b>unicode</b>?');
  });

  it("verifies on the third approval and announces the award split", () => {
    const reply = replyTo("frank> /vote #2 approve 3");
    expect(reply).toContain("is now verified");
    // code weighs 10 points; median impact 4 → ×1.5 = 15 points, 60/40.
    expect(reply).toContain('#2 "Rewrite the parser" is verified: 15 points for bob, carol.');
    expect(reply).toContain("Credits: bob 60% (9 pts), carol 40% (6 pts)");
  });

  it("refuses votes on closed and unknown contributions", () => {
    expect(replyTo("frank> /vote #2 approve").trim()).toBe("✗ Voting on #2 is closed (verified).");
    expect(replyTo("frank> /vote #77 approve").trim()).toBe(
      "✗ There is no contribution #77 in this community.",
    );
  });

  it("refuses evidence already used by another contribution, after normalising the link", () => {
    expect(
      replyTo(`frank> /contribute docs "Same guide again" https://EXAMPLE.org/guide/?utm_source=x`).trim(),
    ).toBe("✗ That evidence link is already used by contribution #1.");
  });

  it("ranks the board with competition ranking", () => {
    const board = replyTo("frank> /leaderboard");
    expect(board).toContain("1. bob — 9 pts, 1 verified");
    expect(board).toContain("2. carol — 6 pts, 1 verified");
    expect(board).toMatch(
      /3\. dave — 0\.25 pts[\s\S]*3\. erin — 0\.25 pts[\s\S]*3\. frank — 0\.25 pts, 0 verified \(you\)/,
    );
  });

  it("keeps moderator commands from members", () => {
    expect(replyTo("frank> /review queue").trim()).toBe("✗ Only moderators can do that.");
  });

  it("expires an unvoted contribution when time passes its deadline", () => {
    expect(replyTo("mod> /wait 73h")).toContain(
      '#1 "Installation guide" is expired (deadline passed without quorum).',
    );
  });

  it("exports attribution with the budget split and saves the file", async () => {
    const reply = replyTo("mod> /export all 1000");
    expect(reply).toContain("Payout: 1000 of 1000.");
    const saved = /Saved to (.+\.csv)/.exec(reply)?.[1];
    expect(saved).toBeDefined();
    const csv = await readFile(path.resolve(saved ?? ""), "utf8");
    expect(csv.split("\n")[0]).toMatch(/member/i);
    expect(csv).toMatch(/bob/);
  });

  it("verifies the ledger chain and the balances", () => {
    const reply = replyTo("mod> /ledger verify");
    expect(reply).toMatch(/✓ Hash chain intact: 6 entries/);
    expect(reply).toContain("Balances agree with the ledger.");
  });

  it("makes a person a member as soon as the console switches to them", () => {
    expect(replyTo(`hank> /contribute data "Label set" https://example.org/labels with @gina:50`)).toContain(
      "Credits: gina 50%, hank 50%",
    );
  });

  it("answers an unknown command with a refusal, not a crash", () => {
    expect(replyTo("mod> /bogus").trim()).toBe("✗ Unknown command /bogus; type /help for the list.");
  });
});
