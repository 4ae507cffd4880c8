import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rankCompetition, rankOf } from "../../src/core/ranking.ts";

const byPoints = (row: { points: number }): number => row.points;

describe("competition ranking", () => {
  it("shares a rank between equal points and skips the tied places (1, 2, 2, 4)", () => {
    const rows = [
      { name: "a", points: 900 },
      { name: "b", points: 500 },
      { name: "c", points: 500 },
      { name: "d", points: 100 },
    ];
    expect(rankCompetition(rows, byPoints).map((r) => [r.rank, r.row.name])).toEqual([
      [1, "a"],
      [2, "b"],
      [2, "c"],
      [4, "d"],
    ]);
  });

  it("orders unsorted rows by points, keeping input order among ties", () => {
    const rows = [
      { name: "low", points: 1 },
      { name: "tie1", points: 5 },
      { name: "top", points: 9 },
      { name: "tie2", points: 5 },
    ];
    expect(rankCompetition(rows, byPoints).map((r) => `${r.rank}:${r.row.name}`)).toEqual([
      "1:top",
      "2:tie1",
      "2:tie2",
      "4:low",
    ]);
  });

  it("ranks an empty board as empty", () => expect(rankCompetition([], byPoints)).toEqual([]));

  it("ranks a member from how many have strictly more points", () => {
    expect(rankOf(500, 0)).toBe(1);
    expect(rankOf(500, 11)).toBe(12);
  });
});

describe("ranking properties", () => {
  const boards = fc.array(fc.record({ id: fc.nat(), points: fc.integer({ min: -50, max: 50 }) }), {
    maxLength: 30,
  });

  it("returns every row once, ranks never decrease, equal points share a rank", () => {
    fc.assert(
      fc.property(boards, (rows) => {
        const ranked = rankCompetition(rows, byPoints);
        expect(ranked.map((r) => r.row).sort((a, b) => rows.indexOf(a) - rows.indexOf(b))).toEqual(rows);
        ranked.forEach((r, i) => {
          const previous = ranked[i - 1];
          if (previous === undefined) return;
          expect(r.rank).toBeGreaterThanOrEqual(previous.rank);
          if (r.row.points === previous.row.points) expect(r.rank).toBe(previous.rank);
        });
      }),
    );
  });

  it("a row's rank is one more than the number of rows with strictly more points", () => {
    fc.assert(
      fc.property(boards, (rows) => {
        for (const { rank, row } of rankCompetition(rows, byPoints)) {
          const higher = rows.filter((other) => other.points > row.points).length;
          expect(rank).toBe(higher + 1);
          expect(rankOf(row.points, higher)).toBe(rank);
        }
      }),
    );
  });
});
