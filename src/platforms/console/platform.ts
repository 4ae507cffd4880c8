import type { Writable } from "node:stream";
import { renderPlainText } from "../../views/plainText.ts";
import type { View } from "../../views/view.ts";
import type { ChatPlatform, ChatTarget, MessageRef } from "../../ports/chatPlatform.ts";

/**
 * The console as a ChatPlatform: what the bot posts in a chat is printed under
 * the chat's name; an edited card is printed again, marked as the card.
 */
export function consolePlatform(output: Writable): ChatPlatform {
  let next = 1;
  const print = (target: ChatTarget, view: View, note: string): void => {
    const text = renderPlainText(view)
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n");
    output.write(`[${target.label}]${note}\n${text}\n`);
  };
  return {
    platform: "CONSOLE",
    // A terminal takes whatever it is given.
    limits: {
      global: { capacity: 10_000, perSecond: 10_000 },
      perChat: { capacity: 10_000, perSecond: 10_000 },
    },
    async post(target, view): Promise<MessageRef> {
      print(target, view, view.buttons !== undefined && view.buttons.length > 0 ? " (card)" : "");
      return { messageId: String(next++) };
    },
    async edit(target, _ref, view) {
      print(target, view, " (card)");
    },
    async delete() {},
  };
}
