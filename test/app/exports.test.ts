import { describe, expect, it } from "vitest";
import type { Actor } from "../../src/app/deps.ts";
import { inTransaction } from "../../src/app/deps.ts";
import { buildExport, csvCell, type ExportRequest, type ExportResult } from "../../src/app/exports.ts";
import { appendLedgerEntries, type NewLedgerEntry } from "../../src/app/ledger.ts";
import { useTestDatabase } from "../support/db.ts";
import {
  FakeClock,
  newCommunity,
  valueOf,
  type TestCommunity,
  ledgerEntry as entry,
} from "../support/communities.ts";

const database = useTestDatabase();

async function community(): Promise<TestCommunity> {
  return newCommunity(database, { clock: new FakeClock("2026-11-01T00:00:00.000Z"), platform: "DISCORD" });
}

function append(c: TestCommunity, at: string, entries: NewLedgerEntry[]): Promise<unknown> {
  return inTransaction(c.deps, (tx) => appendLedgerEntries(tx, c.communityId, entries, new Date(at)));
}

const range = (from: string, to: string) => ({
  kind: "range" as const,
  from: new Date(`${from}T00:00:00Z`),
  to: new Date(`${to}T00:00:00Z`),
});

async function exported(
  c: TestCommunity,
  actor: Actor,
  request: Omit<ExportRequest, "actor" | "format"> & { format?: "csv" | "json" },
): Promise<ExportResult> {
  return valueOf(await buildExport(c.deps, { format: "json", ...request, actor }));
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

describe("buildExport", () => {
  it("is for moderators only", async () => {
    const c = await community();
    const ada = await c.member("Ada");
    const result = await buildExport(c.deps, { actor: ada, window: { kind: "all" }, format: "csv" });
    expect(result.ok ? null : result.error.code).toBe("NOT_MODERATOR");
  });

  it("exports points by kind per member, hidden members included, with shares summing to 100 and amounts to the budget", async () => {
    const c = await community();
    const [mod, ada, bo, cy, alt] = await Promise.all([
      c.member("Mod", { moderator: true }),
      c.member("Ada"),
      c.member("Bo"),
      c.member("Cy"),
      c.member("Ada (alt)"),
    ]);
    const contribution = await c.deps.db.contribution.create({
      data: {
        communityId: c.communityId,
        number: 1,
        submitterId: bo.memberId,
        categoryId: (await c.deps.db.category.findFirstOrThrow({ where: { communityId: c.communityId } })).id,
        title: "x",
        closesAt: new Date("2026-11-05T00:00:00Z"),
      },
    });
    await append(c, "2026-11-05T10:00:00Z", [
      entry("AWARD", ada.memberId, 1000, { verifiedDelta: 1 }),
      entry("AWARD", alt.memberId, 500, { verifiedDelta: 1 }),
      entry("AWARD", bo.memberId, 700, { verifiedDelta: 1, contributionId: contribution.id }),
      entry("VERIFIER_REWARD", cy.memberId, 25, { contributionId: contribution.id }),
      entry("ADJUSTMENT", cy.memberId, 300),
    ]);
    await append(c, "2026-11-06T10:00:00Z", [
      entry("CLAWBACK", bo.memberId, -700, { verifiedDelta: -1, contributionId: contribution.id }),
      entry("CLAWBACK", cy.memberId, -25, { contributionId: contribution.id }),
      entry("AWARD", bo.memberId, 333, { verifiedDelta: 1 }),
    ]);
    await append(c, "2026-12-02T10:00:00Z", [entry("AWARD", ada.memberId, 9999, { verifiedDelta: 1 })]); // outside the window
    // Cy hides from boards; Ada's alt identity is linked into Ada.
    await c.deps.db.member.update({ where: { id: cy.memberId }, data: { hidden: true } });
    await c.deps.db.member.update({ where: { id: alt.memberId }, data: { mergedIntoId: ada.memberId } });
    await c.deps.db.identity.updateMany({
      where: { memberId: alt.memberId },
      data: { memberId: ada.memberId },
    });

    const result = await exported(c, mod, { window: range("2026-11-01", "2026-11-30"), budget: 10_000 });
    expect(
      result.rows.map((r) => [
        r.name,
        r.award,
        r.verifierReward,
        r.clawback,
        r.adjustment,
        r.verified,
        r.net,
      ]),
    ).toEqual([
      ["Ada", 1500, 0, 0, 0, 2, 1500],
      ["Bo", 1033, 0, -700, 0, 1, 333],
      ["Cy", 0, 25, -25, 300, 0, 300],
    ]);
    const adaRow = result.rows[0]!;
    expect(adaRow.identities).toBe(
      `discord:user-${c.communityId}-Ada;discord:user-${c.communityId}-Ada (alt)`,
    );
    expect(sum(result.rows.map((r) => Math.round(r.sharePct * 100)))).toBe(10_000);
    expect(result.rows.map((r) => r.sharePct)).toEqual([70.32, 15.61, 14.07]);
    expect(sum(result.rows.map((r) => r.amount ?? 0))).toBe(10_000);
    expect(result.totals).toMatchObject({ members: 3, net: 2133, budget: 10_000, paid: 10_000 });
    expect(result.runId).toBeNull();
    expect(result.overlaps).toEqual([]);
    const head = await c.deps.db.ledgerHead.findUniqueOrThrow({ where: { communityId: c.communityId } });
    expect(result.ledgerHead).toEqual({ seq: head.seq, hash: head.hash });
    expect(JSON.parse(result.content)).toMatchObject({ pointsUnit: "hundredths", totals: { net: 2133 } });

    const capped = await exported(c, mod, {
      window: range("2026-11-01", "2026-11-30"),
      budget: 10_000,
      cap: 5_000,
    });
    expect(capped.rows.map((r) => r.amount)).toEqual([5_000, 2_630, 2_370]);
  });

  it("refuses to record as paid a window that has not ended", async () => {
    const c = await community();
    const mod = await c.member("Mod", { moderator: true });
    c.clock.set("2026-11-15T09:00:00Z");
    const result = await buildExport(c.deps, {
      actor: mod,
      window: range("2026-11-01", "2026-11-30"),
      budget: 1_000,
      record: true,
      format: "csv",
    });
    expect(result.ok ? null : result.error.code).toBe("WINDOW_NOT_ENDED");
    expect(await c.deps.db.payoutRun.count({ where: { communityId: c.communityId } })).toBe(0);
  });

  it("writes CSV with quoted cells and formula guards", async () => {
    const c = await community();
    const [mod, evil, plain] = await Promise.all([
      c.member("Mod", { moderator: true }),
      c.member('=HYPERLINK("x","y")'),
      c.member("Smith, Jo"),
    ]);
    await append(c, "2026-11-05T10:00:00Z", [
      entry("AWARD", evil.memberId, 150),
      entry("ADJUSTMENT", plain.memberId, -5),
    ]);
    const result = await exported(c, mod, { window: { kind: "all" }, format: "csv", budget: 100 });
    const lines = result.content.split("\r\n");
    expect(lines[0]).toBe(
      "member_id,name,kind,identities,award,verifier_reward,clawback,adjustment,verified,carried_debt,net,share_pct,payout",
    );
    expect(lines[1]).toBe(
      `${evil.memberId},"'=HYPERLINK(""x"",""y"")",person,"discord:user-${c.communityId}-=HYPERLINK(""x"",""y"")",1.50,0.00,0.00,0.00,1,0.00,1.50,100.00,100`,
    );
    expect(lines[2]).toBe(
      `${plain.memberId},"Smith, Jo",person,"discord:user-${c.communityId}-Smith, Jo",0.00,0.00,0.00,-0.05,0,0.00,-0.05,0.00,0`,
    );
    expect(result.filename).toBe(`cairn-${c.communityId}-all-time.csv`);
    expect(csvCell("+1 555")).toBe("'+1 555");
    expect(csvCell("@here")).toBe("'@here");
    expect(csvCell("-12.50")).toBe("-12.50");
  });

  it("records a paid run, reports overlaps, and carries a clawed-back debt into the next export", async () => {
    const c = await community();
    const [mod, ada, bo] = await Promise.all([
      c.member("Mod", { moderator: true }),
      c.member("Ada"),
      c.member("Bo"),
    ]);
    await append(c, "2026-11-05T10:00:00Z", [
      entry("AWARD", ada.memberId, 1000, { verifiedDelta: 1 }),
      entry("AWARD", bo.memberId, 500, { verifiedDelta: 1 }),
    ]);
    const refused = await buildExport(c.deps, {
      actor: mod,
      window: range("2026-11-01", "2026-11-15"),
      record: true,
      format: "json",
    });
    expect(refused.ok ? null : refused.error.code).toBe("BUDGET_REQUIRED");

    c.clock.set("2026-11-16T09:00:00Z");
    const first = await exported(c, mod, {
      window: range("2026-11-01", "2026-11-15"),
      budget: 3_000,
      record: true,
    });
    expect(first.runId).not.toBeNull();
    const run = await c.deps.db.payoutRun.findUniqueOrThrow({
      where: { id: first.runId! },
      include: { lines: true },
    });
    const head = await c.deps.db.ledgerHead.findUniqueOrThrow({ where: { communityId: c.communityId } });
    expect(run).toMatchObject({
      budget: 3_000,
      ledgerHeadSeq: head.seq,
      ledgerHeadHash: head.hash,
      actorId: mod.memberId,
    });
    expect(run.lines.map((l) => [l.memberId, l.points, l.amount]).sort()).toEqual(
      [
        [ada.memberId, 1000, 2000],
        [bo.memberId, 500, 1000],
      ].sort(),
    );

    // Ada's paid contribution is voided after the run: the clawback makes her next window negative.
    await append(c, "2026-11-20T10:00:00Z", [entry("CLAWBACK", ada.memberId, -1000, { verifiedDelta: -1 })]);
    await append(c, "2026-11-25T10:00:00Z", [
      entry("AWARD", ada.memberId, 200, { verifiedDelta: 1 }),
      entry("AWARD", bo.memberId, 100, { verifiedDelta: 1 }),
    ]);
    c.clock.set("2026-12-01T09:00:00Z");
    const overlapping = await exported(c, mod, { window: range("2026-11-10", "2026-11-30") });
    expect(overlapping.overlaps).toEqual([
      { runId: first.runId, from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-11-16T00:00:00Z") },
    ]);

    const second = await exported(c, mod, {
      window: range("2026-11-16", "2026-11-30"),
      budget: 1_000,
      record: true,
    });
    expect(second.overlaps).toEqual([]);
    expect(second.rows.map((r) => [r.name, r.net, r.amount])).toEqual([
      ["Bo", 100, 1_000],
      ["Ada", -800, 0],
    ]);

    await append(c, "2026-12-03T10:00:00Z", [
      entry("AWARD", ada.memberId, 300, { verifiedDelta: 1 }),
      entry("AWARD", bo.memberId, 300, { verifiedDelta: 1 }),
    ]);
    c.clock.set("2026-12-10T09:00:00Z");
    const third = await exported(c, mod, { window: range("2026-12-01", "2026-12-09"), budget: 600 });
    expect(third.rows.map((r) => [r.name, r.award, r.carriedDebt, r.net, r.sharePct, r.amount])).toEqual([
      ["Bo", 300, 0, 300, 100, 600],
      ["Ada", 300, 800, -500, 0, 0],
    ]);
  });

  it("carries a clawback of paid points made between two paid windows into the next paid run, once", async () => {
    const c = await community();
    const [mod, ada, bo] = await Promise.all([
      c.member("Mod", { moderator: true }),
      c.member("Ada"),
      c.member("Bo"),
    ]);
    const categoryId = (await c.deps.db.category.findFirstOrThrow({ where: { communityId: c.communityId } }))
      .id;
    const contribution = (number: number) =>
      c.deps.db.contribution.create({
        data: {
          communityId: c.communityId,
          number,
          submitterId: ada.memberId,
          categoryId,
          title: `work ${number}`,
          closesAt: new Date("2026-11-02T00:00:00Z"),
        },
      });
    const paidWork = await contribution(1);
    const unpaidWork = await contribution(2);
    await append(c, "2026-10-20T10:00:00Z", [
      entry("AWARD", bo.memberId, 400, { verifiedDelta: 1, contributionId: unpaidWork.id }),
    ]);
    await append(c, "2026-11-05T10:00:00Z", [
      entry("AWARD", ada.memberId, 1000, { verifiedDelta: 1, contributionId: paidWork.id }),
      entry("AWARD", bo.memberId, 500, { verifiedDelta: 1 }),
    ]);
    c.clock.set("2026-11-16T09:00:00Z");
    valueOf(
      await buildExport(c.deps, {
        actor: mod,
        window: range("2026-11-01", "2026-11-15"),
        budget: 1_500,
        record: true,
        format: "json",
      }),
    );
    // Both voided on 18 November, between the paid window and the next one (which starts on the 20th).
    await append(c, "2026-11-18T10:00:00Z", [
      entry("CLAWBACK", ada.memberId, -1000, { verifiedDelta: -1, contributionId: paidWork.id }),
      entry("CLAWBACK", bo.memberId, -400, { verifiedDelta: -1, contributionId: unpaidWork.id }),
    ]);
    await append(c, "2026-11-22T10:00:00Z", [
      entry("AWARD", ada.memberId, 300, { verifiedDelta: 1 }),
      entry("AWARD", bo.memberId, 300, { verifiedDelta: 1 }),
    ]);
    c.clock.set("2026-12-01T09:00:00Z");
    const window = range("2026-11-20", "2026-11-30");

    // Ada owes the 10 points she was paid; Bo's voided points were never paid, so he owes nothing.
    const preview = await exported(c, mod, { window, budget: 600 });
    expect(preview.rows.map((r) => [r.name, r.award, r.carriedDebt, r.net])).toEqual([
      ["Bo", 300, 0, 300],
      ["Ada", 300, 1000, -700],
    ]);

    const recorded = await exported(c, mod, { window, budget: 600, record: true });
    expect(recorded.rows.map((r) => [r.name, r.net])).toEqual([
      ["Bo", 300],
      ["Ada", -700],
    ]);
    const run = await database.db.payoutRun.findFirstOrThrow({
      where: { communityId: c.communityId },
      orderBy: { id: "desc" },
    });
    const lines = await database.db.payoutLine.findMany({
      where: { runId: run.id },
      select: { memberId: true, points: true, amount: true },
      orderBy: { points: "desc" },
    });
    expect(lines).toEqual(
      recorded.rows.map((r) => ({ memberId: r.memberId, points: r.net, amount: r.amount ?? 0 })),
    );
    // The next run carries Ada's remaining 7 points through her negative line, not the clawback again.
    c.clock.set("2026-12-10T09:00:00Z");
    const next = await exported(c, mod, { window: range("2026-12-01", "2026-12-09"), budget: 100 });
    expect(next.rows.map((r) => [r.name, r.carriedDebt])).toEqual([["Ada", 700]]);
  });

  it("asked again under the same request key, gives the recorded run's export again and records nothing more", async () => {
    const c = await community();
    const [mod, ada, bo] = await Promise.all([
      c.member("Mod", { moderator: true }),
      c.member("Ada"),
      c.member("Bo"),
    ]);
    await append(c, "2026-11-05T10:00:00Z", [entry("AWARD", ada.memberId, 500, { verifiedDelta: 1 })]);
    c.clock.set("2026-11-20T09:00:00Z");
    const paid = {
      window: range("2026-11-01", "2026-11-15"),
      budget: 1_000,
      record: true,
      requestKey: "export-job:7",
    };
    const first = await exported(c, mod, paid);

    // Later: an entry dated inside the window, a clawback of Ada's points, and a later clock.
    await append(c, "2026-11-10T10:00:00Z", [entry("AWARD", bo.memberId, 200, { verifiedDelta: 1 })]);
    await append(c, "2026-11-21T10:00:00Z", [entry("CLAWBACK", ada.memberId, -500, { verifiedDelta: -1 })]);
    c.clock.set("2026-12-02T09:00:00Z");
    const again = await exported(c, mod, paid);

    expect(again.runId).toBe(first.runId);
    expect(again.content).toBe(first.content);
    expect(again.rows.map((r) => [r.name, r.net, r.amount])).toEqual([["Ada", 500, 1_000]]);
    const runs = await c.deps.db.payoutRun.count({ where: { communityId: c.communityId } });
    expect(runs).toBe(1);
    const audited = await c.deps.db.auditLog.count({
      where: { communityId: c.communityId, action: "export.record" },
    });
    expect(audited).toBe(1);

    // Another key is another run: it sees the first as an earlier, overlapping one.
    const other = await exported(c, mod, { ...paid, requestKey: "export-job:8" });
    expect(other.runId).not.toBe(first.runId);
    expect(other.overlaps.map((o) => o.runId)).toEqual([first.runId]);
  });
});
