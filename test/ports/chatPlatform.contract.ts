// One conformance suite for the ChatPlatform port (src/ports/chatPlatform.ts),
// run against every implementation by its own test file, as BullMQ runs one
// suite over its queue backends. What the delivery jobs rely on: a post shows
// the view and returns a reference, an edit changes that message, a file
// arrives whole, and every failure is a PlatformError whose failure says how
// to react (a 429 with its retry_after, permanent, transient), names no secret
// and leaves nothing posted. A case an implementation cannot produce is stated
// by a capability flag and checked the other way round, never skipped.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Platform } from "../../src/app/actors.ts";
import {
  PlatformError,
  type ChatPlatform,
  type ChatTarget,
  type MessageRef,
  type PlatformFailure,
} from "../../src/ports/chatPlatform.ts";
import { publicView, type View } from "../../src/views/view.ts";

/** What an implementation can be made to do. */
export interface Capabilities {
  /** Answers a request with 429 and a retry_after. The console (a terminal) has no limit to hit. */
  readonly rateLimits: boolean;
  /** Refuses a request for good or for a while. The console writes to a terminal, which refuses nothing. */
  readonly failures: boolean;
  /** Uploads a file's bytes. The console names the file and never prints its content. */
  readonly fileBytes: boolean;
}

/** A failure the platform's other side answers the next call with. */
export type ScriptedFailure =
  | { readonly kind: "rate_limited"; readonly retryAfterSeconds: number }
  /** For a post: the bot may no longer post there; for an edit: the message was deleted. */
  | { readonly kind: "permanent" }
  | { readonly kind: "transient" };

/** The platform's other side, scripted: present when the capabilities say it can fail. */
export interface FaultScript {
  /** The next `op` call is answered with `failure`. */
  failNext(op: "post" | "edit", failure: ScriptedFailure): void;
  /** How many messages the other side holds from the bot, in every chat. */
  posted(): Promise<number>;
}

/** What the other side shows of a file the bot sent. */
export interface ReceivedFile {
  readonly filename: string;
  /** The bytes as uploaded; null where the capabilities say files are named only. */
  readonly bytes: Uint8Array | null;
}

export interface ChatPlatformSubject {
  readonly platform: ChatPlatform;
  /** A chat the bot may post in. */
  readonly target: ChatTarget;
  /** What a reader sees now of the message `ref` names, as plain text. */
  shown(ref: MessageRef): Promise<string>;
  /** The file the message `ref` names carries, or null. */
  file(ref: MessageRef): Promise<ReceivedFile | null>;
  /** What must never appear in an error's message (the bot token). */
  readonly secrets: readonly string[];
  readonly faults: FaultScript | null;
  close(): Promise<void>;
}

export interface ChatPlatformImplementation {
  readonly name: string;
  readonly capabilities: Capabilities;
  open(): Promise<ChatPlatformSubject>;
}

/** The chat itself (no configured channel), where vote cards go. */
export function verificationChat(platform: Platform, chatId: string): ChatTarget {
  return {
    kind: "chat",
    platform,
    chatId,
    channel: "verification",
    channelRef: null,
    label: "#verification",
  };
}

const marked = (title: string): { view: View; marker: string } => {
  const marker = `contract-${randomUUID().slice(0, 8)}`;
  return { view: publicView([`${title} ${marker}`], { title }), marker };
};

/** The failure `work` rejected with, which must be a PlatformError of this platform. */
async function failureOf(subject: ChatPlatformSubject, work: Promise<unknown>): Promise<PlatformFailure> {
  const error: unknown = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  const platformError = error as PlatformError;
  expect(platformError.platform).toBe(subject.platform.platform);
  for (const secret of subject.secrets) expect(platformError.message).not.toContain(secret);
  return platformError.failure;
}

export function chatPlatformContract(implementation: ChatPlatformImplementation): void {
  const { capabilities } = implementation;
  describe(`ChatPlatform contract: ${implementation.name}`, () => {
    let subject: ChatPlatformSubject;
    const faults = (): FaultScript => {
      if (subject.faults === null)
        throw new Error(`${implementation.name} declares failures but scripts none`);
      return subject.faults;
    };

    beforeAll(async () => {
      subject = await implementation.open();
    }, 30_000);
    afterAll(async () => {
      await subject?.close();
    });

    it("declares a script of failures exactly when it can fail", () => {
      expect(subject.faults !== null).toBe(capabilities.rateLimits || capabilities.failures);
    });

    it("posts a view and returns a reference to the message that shows it", async () => {
      const { view, marker } = marked("Posted");
      const ref = await subject.platform.post(subject.target, view);
      expect(ref.messageId).not.toBe("");
      expect(await subject.shown(ref)).toContain(marker);
    });

    it("edits the message a reference names, which then shows the new view only", async () => {
      const first = marked("Card");
      const ref = await subject.platform.post(subject.target, first.view);
      const second = marked("Card");
      await subject.platform.edit(subject.target, ref, second.view);
      const shown = await subject.shown(ref);
      expect(shown).toContain(second.marker);
      expect(shown).not.toContain(first.marker);
    });

    it("sends a file with a view, under its name", async () => {
      const content = `member,points\nalice,${randomUUID()}\n`;
      const { view } = marked("Export");
      const ref = await subject.platform.post(subject.target, {
        ...view,
        attachment: { filename: "ledger-export.csv", contentType: "text/csv", content },
      });
      const file = await subject.file(ref);
      expect(file?.filename).toBe("ledger-export.csv");
      if (capabilities.fileBytes) expect(new TextDecoder().decode(file?.bytes ?? undefined)).toBe(content);
      else expect(file?.bytes).toBeNull();
    });

    if (capabilities.rateLimits) {
      it("reports a 429 as rate_limited with its retry_after, posts nothing, and posts on the next call", async () => {
        const before = await faults().posted();
        faults().failNext("post", { kind: "rate_limited", retryAfterSeconds: 3 });
        const failure = await failureOf(
          subject,
          subject.platform.post(subject.target, marked("Limited").view),
        );
        expect(failure).toMatchObject({ kind: "rate_limited", retryAfterMs: 3000 });
        expect(await faults().posted()).toBe(before);
        const { view, marker } = marked("After the wait");
        expect(await subject.shown(await subject.platform.post(subject.target, view))).toContain(marker);
      });
    } else {
      it("is never rate limited: a burst far beyond any chat limit is posted whole", async () => {
        const burst = Array.from({ length: 60 }, () => marked("Burst"));
        const refs = await Promise.all(burst.map((m) => subject.platform.post(subject.target, m.view)));
        expect(new Set(refs.map((r) => r.messageId)).size).toBe(burst.length);
        expect(subject.platform.limits.perChat.capacity).toBeGreaterThanOrEqual(burst.length);
      });
    }

    if (capabilities.failures) {
      it("reports a refused post as permanent and posts nothing", async () => {
        const before = await faults().posted();
        faults().failNext("post", { kind: "permanent" });
        const failure = await failureOf(
          subject,
          subject.platform.post(subject.target, marked("Refused").view),
        );
        expect(failure.kind).toBe("permanent");
        expect(await faults().posted()).toBe(before);
      });

      it("reports an edit of a deleted message as permanent message_deleted (the card is posted again)", async () => {
        const ref = await subject.platform.post(subject.target, marked("Card").view);
        faults().failNext("edit", { kind: "permanent" });
        const failure = await failureOf(
          subject,
          subject.platform.edit(subject.target, ref, marked("Card").view),
        );
        expect(failure).toEqual({ kind: "permanent", reason: "message_deleted" });
      });

      it("reports a failure for a while as transient, posts nothing, and posts on the retry", async () => {
        const before = await faults().posted();
        faults().failNext("post", { kind: "transient" });
        const failure = await failureOf(subject, subject.platform.post(subject.target, marked("Down").view));
        expect(failure.kind).toBe("transient");
        expect(await faults().posted()).toBe(before);
        const { view, marker } = marked("Back");
        expect(await subject.shown(await subject.platform.post(subject.target, view))).toContain(marker);
      });
    } else {
      it("never fails: an edit of a message it never posted succeeds, as does every post", async () => {
        await expect(
          subject.platform.edit(subject.target, { messageId: "999999" }, marked("Card").view),
        ).resolves.toBeUndefined();
        const { view, marker } = marked("Still here");
        expect(await subject.shown(await subject.platform.post(subject.target, view))).toContain(marker);
      });
    }
  });
}
