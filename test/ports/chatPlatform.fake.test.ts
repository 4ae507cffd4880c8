// The fake platform the job tests post through (test/jobs/support.ts) keeps the
// port's contract, so what the job tests prove holds for the real platforms.
import type { MessageRef } from "../../src/ports/chatPlatform.ts";
import { FakePlatform } from "../jobs/support.ts";
import { chatPlatformContract, verificationChat, type ScriptedFailure } from "./chatPlatform.contract.ts";

const failureOf = (op: "post" | "edit", failure: ScriptedFailure) =>
  failure.kind === "rate_limited"
    ? ({ kind: "rate_limited", retryAfterMs: failure.retryAfterSeconds * 1000, scope: "chat" } as const)
    : failure.kind === "permanent"
      ? ({ kind: "permanent", reason: op === "edit" ? "message_deleted" : "forbidden" } as const)
      : ({ kind: "transient", reason: "down" } as const);

chatPlatformContract({
  name: "the job tests' fake",
  capabilities: { rateLimits: true, failures: true, fileBytes: true },
  async open() {
    const platform = new FakePlatform();
    // The fake records a failed call too; what the other side holds is what succeeded.
    const failed = new Set<number>();
    const last = (ref: MessageRef) =>
      platform.calls.findLast((c) => c.messageId === ref.messageId && c.op !== "delete");
    return {
      platform,
      target: verificationChat("CONSOLE", "room"),
      shown: async (ref) => last(ref)?.text ?? "",
      file: async (ref) => {
        const attachment = last(ref)?.view?.attachment;
        if (attachment === undefined) return null;
        const bytes =
          typeof attachment.content === "string"
            ? new TextEncoder().encode(attachment.content)
            : attachment.content;
        return { filename: attachment.filename, bytes };
      },
      secrets: [],
      faults: {
        failNext(op, failure) {
          failed.add(platform.calls.length);
          platform.failNext(failureOf(op, failure));
        },
        posted: async () => platform.calls.filter((c, index) => c.op === "post" && !failed.has(index)).length,
      },
      close: async () => {},
    };
  },
});
