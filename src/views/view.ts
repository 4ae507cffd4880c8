/**
 * A platform-neutral message. Every string is plain text exactly as a person
 * typed or the bot wrote it; renderers escape it for their platform, so nothing
 * a user typed can ping or render as markup.
 */
export interface View {
  /** `private`: only the caller sees it (Discord ephemeral, Telegram private chat). */
  readonly visibility: "private" | "public";
  readonly tone: "info" | "success" | "refusal";
  readonly title?: string;
  readonly lines: readonly string[];
  readonly fields?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly buttons?: readonly Button[];
  readonly attachment?: Attachment;
}

/** A button and the text command it stands for (what the console shows to type). */
export interface Button {
  readonly label: string;
  readonly command: string;
  readonly style: "primary" | "danger" | "secondary";
  /** Set when pressing it needs words from the presser (needs-info asks a question). */
  readonly asksFor?: string;
}

/** A file sent with a view: text (an export, UTF-8) or bytes (a leaderboard picture). */
export interface Attachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: string | Uint8Array;
}

/** The attachment's bytes as they are uploaded: text as UTF-8, bytes unchanged. */
export function attachmentBytes(attachment: Attachment): Uint8Array {
  return typeof attachment.content === "string"
    ? new TextEncoder().encode(attachment.content)
    : attachment.content;
}

/** Whether a platform should show the attachment as a picture rather than a file. */
export function isImage(attachment: Attachment): boolean {
  return attachment.contentType === "image/png";
}

export function privateView(
  lines: readonly string[],
  extra: Partial<Omit<View, "visibility" | "lines">> = {},
): View {
  return { visibility: "private", tone: "info", lines, ...extra };
}

export function publicView(
  lines: readonly string[],
  extra: Partial<Omit<View, "visibility" | "lines">> = {},
): View {
  return { visibility: "public", tone: "info", lines, ...extra };
}

export function successView(line: string, visibility: View["visibility"] = "private"): View {
  return { visibility, tone: "success", lines: [line] };
}

export function refusalView(line: string): View {
  return { visibility: "private", tone: "refusal", lines: [line] };
}
