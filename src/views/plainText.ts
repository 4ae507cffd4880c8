import { isImage, type Attachment, type View } from "./view.ts";

/**
 * Removes terminal control sequences and other control characters from text a
 * person typed, so a title cannot move the cursor or recolour the console.
 */
export function plainText(text: string): string {
  return text
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "")
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "");
}

/** A view as terminal text: title, lines, fields, then buttons as the commands to type. */
export function renderPlainText(view: View): string {
  const out: string[] = [];
  const mark = view.tone === "refusal" ? "✗ " : view.tone === "success" ? "✓ " : "";
  if (view.title !== undefined) out.push(`${mark}${plainText(view.title)}`);
  view.lines.forEach((line, i) =>
    out.push(`${view.title === undefined && i === 0 ? mark : ""}${plainText(line)}`),
  );
  for (const field of view.fields ?? []) {
    const [first = "", ...more] = field.value.split("\n").map(plainText);
    out.push(`  ${plainText(field.name)}: ${first}`, ...more.map((line) => `    ${line}`));
  }
  for (const button of view.buttons ?? []) {
    const asks = button.asksFor === undefined ? "" : ` <${button.asksFor}>`;
    out.push(`  [${plainText(button.label)}] ${plainText(button.command)}${asks}`);
  }
  if (view.attachment !== undefined) out.push(`  ${attachmentNote(view.attachment)}`);
  return out.join("\n");
}

/** Names the file; its content (bytes, for a picture) never goes to the terminal. */
function attachmentNote(attachment: Attachment): string {
  return `(${isImage(attachment) ? "image" : "file"}: ${plainText(attachment.filename)})`;
}
