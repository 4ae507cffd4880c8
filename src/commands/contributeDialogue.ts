import { z } from "zod";
import { parseCredits } from "../core/credits.ts";
import { validateTitle } from "../core/text.ts";
import { parseEvidence } from "../core/digests.ts";
import { refusalText } from "../views/refusals.ts";
import { privateView, type View } from "../views/view.ts";

/** A guided `/contribute` (given no arguments) expires when left unanswered this long. */
export const DIALOGUE_TIMEOUT_MS = 10 * 60_000;

const STEPS = ["category", "title", "links", "credits", "confirm"] as const;
type Step = (typeof STEPS)[number];

export interface ContributeDialogue {
  readonly step: Step;
  /** When the last answer came; the dialogue expires DIALOGUE_TIMEOUT_MS after it. */
  readonly lastAnswerAt: number;
  readonly categories: readonly string[];
  readonly category?: string;
  readonly title?: string;
  readonly links?: readonly string[];
  readonly credits?: readonly string[];
}

/** A dialogue as it reads back from where a bot keeps it between answers. */
export const contributeDialogueSchema: z.ZodType<ContributeDialogue> = z.object({
  step: z.enum(STEPS),
  lastAnswerAt: z.number(),
  categories: z.array(z.string()),
  category: z.string().exactOptional(),
  title: z.string().exactOptional(),
  links: z.array(z.string()).exactOptional(),
  credits: z.array(z.string()).exactOptional(),
});

/** The raw input of `/contribute` that a finished dialogue hands to the catalog. */
export interface ContributeInput {
  readonly category: string;
  readonly title: string;
  readonly links: readonly string[];
  readonly credits: readonly string[];
}

export type DialogueTurn =
  | { readonly kind: "ask"; readonly dialogue: ContributeDialogue; readonly view: View }
  | { readonly kind: "done"; readonly input: ContributeInput }
  | { readonly kind: "ended"; readonly view: View };

const CANCEL = new Set(["cancel", "/cancel", "stop"]);
const SKIP = new Set(["none", "no", "-", "skip"]);
const cancelHint = "Type cancel to stop.";

const prompts: Record<Step, (d: ContributeDialogue) => View> = {
  category: (d) =>
    privateView([`Which category? One of: ${d.categories.join(", ")}.`, cancelHint], {
      title: "Log a contribution (1/4)",
      buttons: d.categories.map((c) => ({ label: c, command: c, style: "secondary" as const })),
    }),
  title: () =>
    privateView(["What did you do, in one line (up to 120 characters)?", cancelHint], {
      title: "Log a contribution (2/4)",
    }),
  links: () =>
    privateView(
      ["Evidence links and sha256: digests, separated by spaces (up to 5 each), or none.", cancelHint],
      {
        title: "Log a contribution (3/4)",
      },
    ),
  credits: () =>
    privateView(["Co-authors with their shares, like @alice:60 @bob:40, or none.", cancelHint], {
      title: "Log a contribution (4/4)",
    }),
  confirm: (d) =>
    privateView(
      [
        `Category: ${d.category ?? ""}`,
        `Title: ${d.title ?? ""}`,
        `Links: ${(d.links ?? []).join(" ") || "none"}`,
        `Co-authors: ${(d.credits ?? []).join(" ") || "none"}`,
        "Log it? yes or cancel.",
      ],
      {
        title: "Log a contribution",
        buttons: [
          { label: "Yes", command: "yes", style: "primary" },
          { label: "Cancel", command: "cancel", style: "danger" },
        ],
      },
    ),
};

/** Starts the guided dialogue with the community's categories. */
export function startContributeDialogue(categories: readonly string[], now: Date): DialogueTurn {
  const dialogue: ContributeDialogue = { step: "category", lastAnswerAt: now.getTime(), categories };
  return { kind: "ask", dialogue, view: prompts.category(dialogue) };
}

/** Takes one answer: asks again with the reason when it is not valid, moves on when it is. */
export function answerContributeDialogue(
  dialogue: ContributeDialogue,
  answer: string,
  now: Date,
): DialogueTurn {
  const text = answer.trim();
  if (now.getTime() - dialogue.lastAnswerAt > DIALOGUE_TIMEOUT_MS) {
    return {
      kind: "ended",
      view: privateView(["That contribution dialogue timed out; start again with /contribute."]),
    };
  }
  if (CANCEL.has(text.toLowerCase()))
    return { kind: "ended", view: privateView(["Cancelled; nothing was logged."]) };
  const next = (changes: Partial<ContributeDialogue> & { step: Step }): DialogueTurn => {
    const updated: ContributeDialogue = { ...dialogue, ...changes, lastAnswerAt: now.getTime() };
    return { kind: "ask", dialogue: updated, view: prompts[updated.step](updated) };
  };
  const retry = (line: string): DialogueTurn => ({
    kind: "ask",
    dialogue: { ...dialogue, lastAnswerAt: now.getTime() },
    // One line, as every refusal: the reason, then how to stop.
    view: privateView([`${line} ${cancelHint}`], { tone: "refusal" }),
  });
  switch (dialogue.step) {
    case "category": {
      const category = dialogue.categories.find((c) => c === text.toLowerCase());
      return category === undefined
        ? retry(`Choose one of: ${dialogue.categories.join(", ")}.`)
        : next({ step: "title", category });
    }
    case "title": {
      const title = validateTitle(text);
      return title.ok ? next({ step: "links", title: title.value }) : retry(refusalText(title.error));
    }
    case "links": {
      const tokens = SKIP.has(text.toLowerCase()) ? [] : text.split(/\s+/);
      // Links and sha256: digests, kept together as the words /contribute reads.
      const evidence = parseEvidence(tokens);
      return evidence.ok
        ? next({ step: "credits", links: [...evidence.value.links, ...evidence.value.digests] })
        : retry(refusalText(evidence.error));
    }
    case "credits": {
      const tokens = SKIP.has(text.toLowerCase()) ? [] : text.split(/\s+/);
      const credits = parseCredits(tokens);
      return credits.ok ? next({ step: "confirm", credits: tokens }) : retry(refusalText(credits.error));
    }
    case "confirm":
      if (!["yes", "y", "ok"].includes(text.toLowerCase())) return retry("Answer yes to log it, or cancel.");
      return {
        kind: "done",
        input: {
          category: dialogue.category ?? "",
          title: dialogue.title ?? "",
          links: dialogue.links ?? [],
          credits: dialogue.credits ?? [],
        },
      };
  }
}
