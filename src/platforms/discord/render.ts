import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  type APIActionRowComponent,
  type APIAllowedMentions,
  type APIButtonComponentWithCustomId,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIStringSelectComponent,
} from "discord-api-types/v10";
import { escapeMarkdown } from "discord.js";
import { attachmentBytes, isImage, type Button, type View } from "../../views/view.ts";
import { buttonAction, encodeComponent } from "./customIds.ts";
import type { FileUpload } from "./api.ts";

/** Nothing a bot message says may ping: no @everyone, roles or users, whoever typed it. */
export const NO_MENTIONS: APIAllowedMentions = { parse: [] };

/** A View as the body of a Discord message (channel post, interaction reply or edit). */
export interface DiscordMessage {
  readonly embeds: APIEmbed[];
  readonly components: APIActionRowComponent<APIComponentInMessageActionRow>[];
  readonly allowed_mentions: APIAllowedMentions;
  readonly flags?: number;
  readonly attachments?: Array<{ id: number; filename: string }>;
}

const TONE_COLOURS: Record<View["tone"], number> = {
  info: 0x5865f2,
  success: 0x57f287,
  refusal: 0xed4245,
};

// Discord's embed limits; longer text is cut with an ellipsis rather than refused.
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 4096;
const FIELD_NAME_MAX = 256;
const FIELD_VALUE_MAX = 1024;
const FIELDS_MAX = 25;

/**
 * Escapes text for Discord: markdown (headings, lists and masked links
 * included) and the mention syntax, so `<@123>`, `<#1>` and `@everyone`
 * show as typed instead of as mentions. Every `[` is escaped, not only those
 * of a whole `[text](url)`: text split around a link must not leave a
 * masked link's opening behind. Quote (`>`) and subtext (`-#`) line starts are
 * escaped too.
 */
export function escapeDiscord(text: string): string {
  // escapeMarkdown doubles every backslash the person typed, so after it each
  // "[" is raw and escaping it unconditionally cannot be undone by a typed "\".
  const escaped = escapeMarkdown(text, {
    heading: true,
    bulletedList: true,
    numberedList: true,
    maskedLink: false,
  });
  return escaped
    .replace(/\[/g, "\\[")
    .replace(/^(\s*)(>|-#)/gm, "$1\\$2")
    .replace(/<(?=[@#:]|a:|t:|id:|\/)/g, "\\<")
    .replace(/@(everyone|here)/g, "@\u200b$1");
}

/** An http(s) link in text: up to whitespace or an angle bracket (neither is ever part of a normalised link). */
const LINK = /https?:\/\/[^\s<>]+/gi;
/** Punctuation that ends a sentence rather than the link, as Discord's own link finder reads it. */
const TRAILING_PUNCTUATION = /[.,:;!?"']+$/;

/**
 * Text with its http(s) links kept clickable. Each link goes out in Discord's
 * autolink form `<url>`, which embeds render as the bare URL with nothing
 * inside parsed as markdown, so `_` and `*` in a link show as they are and
 * cannot start formatting; a link holds no whitespace, `<` or `>`, so it
 * cannot close the form early. Everything around the links is escaped.
 */
export function discordText(text: string): string {
  let result = "";
  let from = 0;
  for (const match of text.matchAll(LINK)) {
    const link = linkPart(match[0]);
    result += escapeDiscord(text.slice(from, match.index)) + `<${link}>`;
    from = match.index + link.length;
  }
  return result + escapeDiscord(text.slice(from));
}

/** A found link without the sentence's closing punctuation or an unmatched closing parenthesis. */
function linkPart(found: string): string {
  let link = found.replace(TRAILING_PUNCTUATION, "");
  while (link.endsWith(")") && count(link, ")") > count(link, "(")) link = link.slice(0, -1);
  return link.replace(TRAILING_PUNCTUATION, "");
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A time the views print (formatTime) shown as a Discord timestamp, in each reader's own time zone. */
function timestampOrText(value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC$/.exec(value);
  if (match === null) return discordText(value);
  const seconds = Math.floor(Date.parse(`${match[1]}T${match[2]}:00Z`) / 1000);
  return `<t:${seconds}:f> (<t:${seconds}:R>)`;
}

export function renderEmbed(view: View): APIEmbed {
  const description = view.lines.map(discordText).join("\n");
  const fields = (view.fields ?? []).slice(0, FIELDS_MAX).map((field) => ({
    name: cut(escapeDiscord(field.name), FIELD_NAME_MAX) || "\u200b",
    value: cut(timestampOrText(field.value), FIELD_VALUE_MAX) || "\u200b",
  }));
  return {
    color: TONE_COLOURS[view.tone],
    ...(view.title === undefined ? {} : { title: cut(escapeDiscord(view.title), TITLE_MAX) }),
    ...(description === "" && view.title === undefined && fields.length === 0
      ? { description: "\u200b" }
      : description === ""
        ? {}
        : { description: cut(description, DESCRIPTION_MAX) }),
    ...(fields.length === 0 ? {} : { fields }),
    ...embedImage(view),
  };
}

/** A picture sent with the view shows inside the embed, not as a file below it. */
function embedImage(view: View): Pick<APIEmbed, "image"> {
  if (view.attachment === undefined || !isImage(view.attachment)) return {};
  return { image: { url: `attachment://${safeFilename(view.attachment.filename)}` } };
}

const BUTTON_STYLES: Record<
  Button["style"],
  ButtonStyle.Success | ButtonStyle.Danger | ButtonStyle.Secondary
> = {
  primary: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
  secondary: ButtonStyle.Secondary,
};

/**
 * The View's buttons as components: vote buttons in one row and the impact
 * buttons folded into one select ("Approve with impact…"). Buttons that stand
 * for no interaction the bot handles are left out (their command can be typed).
 */
export function renderComponents(view: View): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const buttons: APIButtonComponentWithCustomId[] = [];
  const impacts: Array<{ label: string; value: string }> = [];
  let impactId: string | null = null;
  for (const button of view.buttons ?? []) {
    const meaning = buttonAction(button.command);
    if (meaning === null) continue;
    if (meaning.impact !== null) {
      impactId = encodeComponent(meaning.action);
      impacts.push({ label: cut(button.label, 100), value: String(meaning.impact) });
      continue;
    }
    buttons.push({
      type: ComponentType.Button,
      custom_id: encodeComponent(meaning.action),
      label: cut(button.label, 80),
      style: BUTTON_STYLES[button.style],
    });
  }
  const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  if (buttons.length > 0) rows.push({ type: ComponentType.ActionRow, components: buttons.slice(0, 5) });
  if (impactId !== null) {
    const select: APIStringSelectComponent = {
      type: ComponentType.StringSelect,
      custom_id: impactId,
      placeholder: "Approve with impact…",
      min_values: 1,
      max_values: 1,
      options: impacts,
    };
    rows.push({ type: ComponentType.ActionRow, components: [select] });
  }
  return rows;
}

/** A View as a message body. `ephemeral` marks interaction replies only the caller sees. */
export function renderMessage(view: View, options: { ephemeral?: boolean } = {}): DiscordMessage {
  return {
    embeds: [renderEmbed(view)],
    components: renderComponents(view),
    allowed_mentions: NO_MENTIONS,
    ...(options.ephemeral === true ? { flags: MessageFlags.Ephemeral } : {}),
    ...(view.attachment === undefined
      ? {}
      : { attachments: [{ id: 0, filename: safeFilename(view.attachment.filename) }] }),
  };
}

/** The View's file, ready to upload with the message. */
export function renderFiles(view: View): FileUpload[] | undefined {
  if (view.attachment === undefined) return undefined;
  return [
    {
      name: safeFilename(view.attachment.filename),
      contentType: view.attachment.contentType,
      content: attachmentBytes(view.attachment),
    },
  ];
}

function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).at(-1) ?? "export";
  return base.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 100) || "export";
}

/** Plain text of a view for an error fallback (a content-only message). */
export function plainMessage(line: string, ephemeral = true): DiscordMessage {
  return {
    embeds: [{ color: TONE_COLOURS.refusal, description: escapeDiscord(line) }],
    components: [],
    allowed_mentions: NO_MENTIONS,
    ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
  };
}
