// Telegram's ChatPlatform (src/platforms/telegram/outgoing.ts, on telegraf's
// client) keeps the port's contract against the telegram-test-api emulator,
// whose scripted answers are the Bot API's own: 429 with parameters.retry_after,
// 403 "bot was kicked", 400 "message to edit not found", 502.
import type { MessageRef } from "../../src/ports/chatPlatform.ts";
import { telegramOutgoing } from "../../src/platforms/telegram/outgoing.ts";
import { TelegramEmulator, type ScriptedFailure as EmulatorFailure } from "../platforms/telegram/emulator.ts";
import { chatPlatformContract, verificationChat, type ScriptedFailure } from "./chatPlatform.contract.ts";

const TOKEN = "123456789:AAcontract-token-never-in-an-error";
const GROUP = "-1009876543210";

function answerOf(op: "post" | "edit", failure: ScriptedFailure): EmulatorFailure {
  const method = op === "post" ? "sendMessage" : "editMessageText";
  switch (failure.kind) {
    case "rate_limited":
      return {
        method,
        code: 429,
        description: `Too Many Requests: retry after ${failure.retryAfterSeconds}`,
        retryAfter: failure.retryAfterSeconds,
      };
    case "permanent":
      return op === "edit"
        ? { method, code: 400, description: "Bad Request: message to edit not found" }
        : { method, code: 403, description: "Forbidden: bot was kicked from the supergroup chat" };
    case "transient":
      return { method, code: 502, description: "Bad Gateway" };
  }
}

chatPlatformContract({
  name: "telegram",
  capabilities: { rateLimits: true, failures: true, fileBytes: true },
  async open() {
    const emulator = new TelegramEmulator(9491);
    await emulator.start();
    const numberOf = (ref: MessageRef) => Number(ref.messageId);
    return {
      platform: telegramOutgoing({ token: TOKEN, apiRoot: emulator.apiRoot }),
      target: verificationChat("TELEGRAM", GROUP),
      shown: async (ref) => emulator.sent().find((m) => m.messageId === numberOf(ref))?.text ?? "",
      file: async (ref) => {
        const document = emulator.state.documents.find((d) => d.messageId === numberOf(ref));
        return document === undefined ? null : { filename: document.filename, bytes: document.bytes };
      },
      secrets: [TOKEN],
      faults: {
        failNext: (op, failure) => emulator.state.failNext.push(answerOf(op, failure)),
        posted: async () => emulator.sent().length + emulator.state.documents.length,
      },
      close: () => emulator.stop(),
    };
  },
});
