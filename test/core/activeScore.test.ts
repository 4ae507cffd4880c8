import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { activeScore, activeWeight, needsRebase, rebaseFactor } from "../../src/core/activeScore.ts";

const DAY_MS = 86_400_000;
const epoch = new Date("2026-01-01T00:00:00Z");
const days = (n: number, from = epoch): Date => new Date(from.getTime() + n * DAY_MS);

describe("active score", () => {
  it("weighs points at the epoch as 1 and doubles each half-life later", () => {
    expect(activeWeight(epoch, epoch, 90)).toBe(1);
    expect(activeWeight(days(90), epoch, 90)).toBe(2);
    expect(activeWeight(days(-90), epoch, 90)).toBe(0.5);
  });

  it("halves every half-life after the points were logged", () => {
    const logged = days(30);
    const acc = 1000 * activeWeight(logged, epoch, 90);
    expect(activeScore(acc, logged, epoch, 90)).toBe(1000);
    expect(activeScore(acc, days(90, logged), epoch, 90)).toBe(500);
    expect(activeScore(acc, days(180, logged), epoch, 90)).toBe(250);
  });

  it("rewards steady work over an old burst of the same size", () => {
    const now = days(360);
    const burst = 1200 * activeWeight(days(0), epoch, 90);
    const steady = [0, 90, 180, 270].reduce((acc, d) => acc + 300 * activeWeight(days(d + 90), epoch, 90), 0);
    expect(activeScore(steady, now, epoch, 90)).toBeGreaterThan(activeScore(burst, now, epoch, 90));
  });

  it("asks for a re-base only once the exponent passes 512 half-lives", () => {
    expect(needsRebase(days(512), epoch, 1)).toBe(false);
    expect(needsRebase(days(513), epoch, 1)).toBe(true);
  });

  it("keeps scores unchanged when the epoch is re-based", () => {
    const acc = 4321 * activeWeight(days(400), epoch, 90);
    const newEpoch = days(360);
    const rebased = acc * rebaseFactor(epoch, newEpoch, 90);
    expect(activeScore(rebased, days(420), newEpoch, 90)).toBe(activeScore(acc, days(420), epoch, 90));
  });
});

describe("active score properties", () => {
  const points = fc.integer({ min: -100_000_000, max: 100_000_000 });
  const moments = fc.integer({ min: 0, max: 20 * 365 }).map((d) => days(d));
  const halfLives = fc.integer({ min: 1, max: 3650 });
  // Accumulators are only meaningful until a re-base is due; past that the weight overflows.

  it("points logged now count in full", () => {
    fc.assert(
      fc.property(points, moments, halfLives, (p, at, h) => {
        fc.pre(!needsRebase(at, epoch, h));
        expect(activeScore(p * activeWeight(at, epoch, h), at, epoch, h)).toBe(p);
      }),
    );
  });

  it("points count half after one half-life, give or take one hundredth", () => {
    fc.assert(
      fc.property(points, moments, halfLives, (p, at, h) => {
        fc.pre(!needsRebase(days(h, at), epoch, h));
        const acc = p * activeWeight(at, epoch, h);
        expect(Math.abs(activeScore(acc, days(h, at), epoch, h) - p / 2)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
