// The guided /contribute's evidence step takes links and sha256: digests.
import { describe, expect, it } from "vitest";
import { answerContributeDialogue, type ContributeDialogue } from "../../src/commands/contributeDialogue.ts";

const now = new Date("2026-12-03T10:00:00Z");
const atLinks: ContributeDialogue = {
  step: "links",
  lastAnswerAt: now.getTime(),
  categories: ["data"],
  category: "data",
  title: "Dataset v2",
};

describe("the guided /contribute's evidence step", () => {
  it("keeps links and digests (lowercased) together for /contribute to read", () => {
    const digest = `sha256:${"AB".repeat(32)}`;
    const turn = answerContributeDialogue(atLinks, `https://example.org/ds ${digest}`, now);
    expect(turn).toMatchObject({
      kind: "ask",
      dialogue: { step: "credits", links: ["https://example.org/ds", digest.toLowerCase()] },
    });
  });

  it("asks again, with the reason, for a digest that is not sha256 and 64 hex digits", () => {
    const turn = answerContributeDialogue(atLinks, "sha256:abc", now);
    expect(turn.kind).toBe("ask");
    if (turn.kind === "ask") {
      expect(turn.dialogue.step).toBe("links");
      expect(turn.view.lines[0]).toMatch(/^Digest 1 is not valid; write sha256:/);
    }
  });
});
