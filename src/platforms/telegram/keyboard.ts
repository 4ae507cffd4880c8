import type { InlineKeyboardButton, InlineKeyboardMarkup } from "telegraf/types";
import type { Button } from "../../views/view.ts";
import { encodeDialogueAnswer, encodeVoteButton } from "./callbackData.ts";

const ROW_WIDTH = 3;

/**
 * A view's buttons as an inline keyboard. A button standing for a command
 * (`/vote #12 approve 4`) is encoded compactly; one standing for an answer to
 * the guided dialogue (`docs`, `yes`) is sent back as that answer. Buttons that
 * cannot be encoded within 64 bytes are left off: their command can still be typed.
 * Numbered buttons of one kind (Impact 1…5) share a row.
 */
export function inlineKeyboard(buttons: readonly Button[]): InlineKeyboardMarkup {
  const rows: InlineKeyboardButton[][] = [];
  let rowKind: string | null = null;
  for (const button of buttons) {
    const data = button.command.startsWith("/")
      ? encodeVoteButton(button.command)
      : encodeDialogueAnswer(button.command);
    if (data === null) continue;
    const kind = numberedKind(button.label);
    const last = rows.at(-1);
    const sameKind = kind !== null && kind === rowKind;
    if (last === undefined || (!sameKind && (kind !== null || rowKind !== null || last.length >= ROW_WIDTH)))
      rows.push([{ text: button.label, callback_data: data }]);
    else last.push({ text: button.label, callback_data: data });
    rowKind = kind;
  }
  return { inline_keyboard: rows };
}

/** "Impact" for "Impact 3": buttons that differ only by a number. */
function numberedKind(label: string): string | null {
  return /^(.*\S)\s+\d+$/.exec(label)?.[1] ?? null;
}

/** The labels of a keyboard, row by row, for tests and logs. */
export function keyboardLabels(markup: InlineKeyboardMarkup): string[] {
  return markup.inline_keyboard.flat().map((button) => button.text);
}
