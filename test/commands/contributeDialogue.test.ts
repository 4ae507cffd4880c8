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

  it("asks again at every step with a one-line refusal: the reason, then how to stop", () => {
    const at = (step: ContributeDialogue["step"]): ContributeDialogue => ({ ...atLinks, step });
    const badAnswers: Array<[ContributeDialogue, string]> = [
      [at("category"), ""],
      [at("title"), ""],
      [at("links"), "sha256:abc"],
      [at("credits"), "@alice:150"],
      [at("confirm"), "maybe"],
    ];
    for (const [dialogue, answer] of badAnswers) {
      const turn = answerContributeDialogue(dialogue, answer, now);
      expect(turn.kind, dialogue.step).toBe("ask");
      if (turn.kind !== "ask") continue;
      expect(turn.dialogue.step, dialogue.step).toBe(dialogue.step);
      expect(turn.view.tone, dialogue.step).toBe("refusal");
      expect(turn.view.lines, dialogue.step).toHaveLength(1);
      expect(turn.view.lines[0], dialogue.step).toMatch(/\. Type cancel to stop\.$/);
    }
  });
});
