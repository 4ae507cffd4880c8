// Inline-keyboard buttons carry at most 64 bytes of callback_data, and anyone
// can send any callback_data to the bot. So buttons are encoded compactly
// (`v:12:a:4` for "/vote #12 approve 4") and every press is decoded against a
// strict grammar; whatever it stands for is then checked by the use case like a
// typed command.
import { MAX_CONTRIBUTION_NUMBER } from "../../core/commandLine.ts";

/** Telegram's limit on callback_data, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;

export type VoteChoice = "approve" | "reject" | "info";

/** What a button press asks for. */
export type ButtonPress =
  | { readonly kind: "vote"; readonly number: number; readonly choice: VoteChoice; readonly impact?: number }
  /** An answer to the guided /contribute dialogue (a category, yes, cancel). */
  | { readonly kind: "dialogue"; readonly answer: string };

const CHOICE_CODES: Record<VoteChoice, string> = { approve: "a", reject: "r", info: "i" };
const CODE_CHOICES: Record<string, VoteChoice> = { a: "approve", r: "reject", i: "info" };

const VOTE_COMMAND = /^\/vote #(\d{1,10}) (approve|reject|info)(?: ([1-5]))?$/;
const VOTE_DATA = /^v:(\d{1,10}):([ari])(?::([1-5]))?$/;
/** Dialogue answers are category slugs, yes and cancel: a small alphabet keeps the data unambiguous. */
const DIALOGUE_ANSWER = /^[a-z0-9][a-z0-9_.-]{0,59}$/;

function validNumber(text: string | undefined): number | null {
  const value = Number(text);
  return Number.isInteger(value) && value >= 1 && value <= MAX_CONTRIBUTION_NUMBER ? value : null;
}

/** The callback_data of a button standing for a vote command, or null when the command is not a vote. */
export function encodeVoteButton(command: string): string | null {
  const match = VOTE_COMMAND.exec(command);
  if (match === null) return null;
  const [, number, choice, impact] = match;
  if (validNumber(number) === null) return null;
  const code = CHOICE_CODES[choice as VoteChoice];
  return `v:${number}:${code}${impact === undefined || choice !== "approve" ? "" : `:${impact}`}`;
}

/** The callback_data of a dialogue answer button, or null when it would not fit or not decode. */
export function encodeDialogueAnswer(answer: string): string | null {
  const data = `d:${answer}`;
  return DIALOGUE_ANSWER.test(answer) && byteLength(data) <= CALLBACK_DATA_LIMIT ? data : null;
}

/** Reads a button press; null for anything this bot never put on a button. */
export function decodeButtonPress(data: string | undefined): ButtonPress | null {
  if (data === undefined || byteLength(data) > CALLBACK_DATA_LIMIT) return null;
  const vote = VOTE_DATA.exec(data);
  if (vote !== null) {
    const [, numberText, code, impactText] = vote;
    const number = validNumber(numberText);
    const choice = CODE_CHOICES[code ?? ""];
    if (number === null || choice === undefined) return null;
    if (impactText !== undefined && choice !== "approve") return null;
    return impactText === undefined
      ? { kind: "vote", number, choice }
      : { kind: "vote", number, choice, impact: Number(impactText) };
  }
  if (data.startsWith("d:")) {
    const answer = data.slice(2);
    return DIALOGUE_ANSWER.test(answer) ? { kind: "dialogue", answer } : null;
  }
  return null;
}

/** The text command a vote press stands for (the console's syntax), without the needs-info question. */
export function voteCommandText(press: Extract<ButtonPress, { kind: "vote" }>): string {
  return `/vote #${press.number} ${press.choice}${press.impact === undefined ? "" : ` ${press.impact}`}`;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}
