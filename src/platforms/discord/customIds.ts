import { MAX_CONTRIBUTION_NUMBER } from "../../core/commandLine.ts";
import { FORM_KEY } from "./pendingForms.ts";

/**
 * What a button, select or modal stands for, carried in its custom_id. Anyone
 * can send any custom_id to the bot, so decoding validates every part and the
 * action still goes through the catalog (input schema, eligibility, moderator
 * check) like a typed command.
 */
export type VoteChoice = "approve" | "reject";

export type ComponentAction =
  | { readonly kind: "vote"; readonly number: number; readonly choice: VoteChoice }
  /** Needs-info: opens the question modal. */
  | { readonly kind: "ask"; readonly number: number }
  /** The impact select: approve with the chosen impact. */
  | { readonly kind: "impact"; readonly number: number };

export type ModalAction =
  | { readonly kind: "question"; readonly number: number }
  /** /contribute's form: `form` is the key of its options held by PendingContributions. */
  | { readonly kind: "contribute"; readonly form: string };

const PREFIX = "cairn";
/** Discord's limit for a custom_id; every id here stays well under it. */
export const CUSTOM_ID_MAX = 100;

export function encodeComponent(action: ComponentAction): string {
  switch (action.kind) {
    case "vote":
      return `${PREFIX}:vote:${action.number}:${action.choice}`;
    case "ask":
      return `${PREFIX}:vote:${action.number}:info`;
    case "impact":
      return `${PREFIX}:impact:${action.number}`;
  }
}

export function decodeComponent(customId: string): ComponentAction | null {
  const parts = customId.split(":");
  if (parts[0] !== PREFIX) return null;
  if (parts[1] === "vote" && parts.length === 4) {
    const number = contributionNumber(parts[2]);
    if (number === null) return null;
    if (parts[3] === "approve" || parts[3] === "reject") return { kind: "vote", number, choice: parts[3] };
    if (parts[3] === "info") return { kind: "ask", number };
    return null;
  }
  if (parts[1] === "impact" && parts.length === 3) {
    const number = contributionNumber(parts[2]);
    return number === null ? null : { kind: "impact", number };
  }
  return null;
}

/** An impact picked in the select, 1..5, or null for anything else. */
export function decodeImpact(value: string | undefined): number | null {
  return value !== undefined && /^[1-5]$/.test(value) ? Number(value) : null;
}

export function encodeModal(action: ModalAction): string {
  return action.kind === "question"
    ? `${PREFIX}:ask:${action.number}`
    : `${PREFIX}:contribute:${action.form}`;
}

export function decodeModal(customId: string): ModalAction | null {
  const parts = customId.split(":");
  if (parts[0] !== PREFIX || parts.length !== 3) return null;
  if (parts[1] === "ask") {
    const number = contributionNumber(parts[2]);
    return number === null ? null : { kind: "question", number };
  }
  const form = parts[2] ?? "";
  return parts[1] === "contribute" && FORM_KEY.test(form) ? { kind: "contribute", form } : null;
}

function contributionNumber(text: string | undefined): number | null {
  if (text === undefined || !/^[1-9]\d{0,9}$/.test(text)) return null;
  const number = Number(text);
  return number <= MAX_CONTRIBUTION_NUMBER ? number : null;
}

/**
 * The action a View's button stands for, read from its text command
 * (`/vote #12 approve`, `/vote #12 info`, `/vote #12 approve 4`). Impact
 * buttons come back as `impact` with their number; they become one select.
 */
export function buttonAction(
  command: string,
): { readonly action: ComponentAction; readonly impact: number | null } | null {
  const match = /^\/vote #(\d+) (approve|reject|info)(?: ([1-5]))?$/.exec(command.trim());
  if (match === null) return null;
  const number = contributionNumber(match[1]);
  if (number === null) return null;
  const choice = match[2];
  if (match[3] !== undefined) return { action: { kind: "impact", number }, impact: Number(match[3]) };
  if (choice === "info") return { action: { kind: "ask", number }, impact: null };
  return {
    action: { kind: "vote", number, choice: choice === "approve" ? "approve" : "reject" },
    impact: null,
  };
}
