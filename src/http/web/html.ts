// HTML built from tagged templates in which every interpolated value is
// escaped unless it is already markup made here: user-written text can never
// become markup, a link, or a change of writing direction on the page.

const MARKUP = Symbol("markup");

/** Markup made by this module (or escaped text): safe to put in a page as is. */
export interface Html {
  readonly [MARKUP]: true;
  readonly text: string;
}

export type HtmlValue = Html | string | number | null | undefined | false | readonly HtmlValue[];

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text with the five HTML-special characters escaped (safe in content and quoted attributes). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * Directional formatting characters (embeddings, overrides, isolates, marks
 * that can reorder what follows): a name carrying U+202E would otherwise
 * reverse the text after it. They are removed; `<bdi>` then isolates the
 * name's own direction (Arabic and Hebrew names still read right to left).
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, "");
}

function markup(text: string): Html {
  return { [MARKUP]: true, text };
}

function isHtml(value: unknown): value is Html {
  return typeof value === "object" && value !== null && MARKUP in value;
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return "";
  if (isHtml(value)) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/** `html\`<p>${name}</p>\``: the values are escaped, nested `html` fragments kept. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return markup(out);
}

/** Markup known to be safe (a constant of this code, JSON escaped for a script element). */
export function trusted(text: string): Html {
  return markup(text);
}

/** Text someone wrote (a name, a title, a reason): escaped, directional controls removed, isolated. */
export function userText(text: string): Html {
  return html`<bdi>${stripBidiControls(text)}</bdi>`;
}

/** Text someone wrote that may span lines (a description): like userText, line breaks kept by CSS. */
export function userParagraph(text: string): Html {
  return html`<p class="written" dir="auto">${stripBidiControls(text)}</p>`;
}

/** Only http and https addresses become links; anything else (javascript:, data:) is shown as text. */
export function evidenceLink(url: string): Html {
  const shown = userText(url);
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (parsed === null || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) return shown;
  return html`<a href="${parsed.href}" rel="nofollow noopener noreferrer ugc">${shown}</a>`;
}

/** JSON inside `<script type="application/json">`: `<` escaped so no text can close the element. */
export function scriptJson(value: unknown): Html {
  return markup(
    JSON.stringify(value)
      .replace(/</g, "\\u003c")
      .replace(/\u2028/g, "\\u2028")
      .replace(/\u2029/g, "\\u2029"),
  );
}
