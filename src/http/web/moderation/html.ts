// The moderator pages' HTML: an escape for every piece of text and one small
// layout (landmarks, a readable width, no script). Telegram's escapeHtml lives
// in its platform adapter, which the HTTP server must not import, and leaves
// the single quote alone; this one escapes it too.

/** Text (and attribute values) made inert: the five characters HTML reads as markup. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** HTML built by `html` templates: already escaped, inserted as is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = SafeHtml | string | number | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined) return "";
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join("");
  return escapeHtml(String(part));
}

/** A template whose every interpolated value is escaped unless it is SafeHtml (an inner template). */
export function html(strings: TemplateStringsArray, ...parts: Part[]): SafeHtml {
  return new SafeHtml(
    strings.reduce((out, text, i) => out + text + (i < parts.length ? render(parts[i]) : ""), ""),
  );
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff}
header,main,footer{max-width:60rem;margin:0 auto;padding:0.75rem 1rem}
header{border-bottom:1px solid #ccc}
h1{font-size:1.4rem;margin:0.5rem 0}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:0.4rem;border-bottom:1px solid #ddd;vertical-align:top}
form.act{display:flex;flex-wrap:wrap;gap:0.4rem;align-items:end}
label{display:flex;flex-direction:column;font-size:0.9rem}
input,select,button{font:inherit;padding:0.3rem}
button{background:#0b4f8a;color:#fff;border:0;border-radius:3px;padding:0.35rem 0.8rem}
.notice{padding:0.5rem;border-left:4px solid #1a7f37;background:#eef8f0}
.refusal{padding:0.5rem;border-left:4px solid #b42318;background:#fdf0ef}
`;

export interface Layout {
  readonly title: string;
  readonly body: SafeHtml;
  /** The signed-in moderator's sign-out form, when there is a session. */
  readonly signOut?: SafeHtml;
}

/** A whole page: one <main>, a header with the title, nothing that runs. */
export function page(layout: Layout): string {
  return `<!doctype html>${
    html`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${layout.title} · Cairn</title>
        <style>
          ${new SafeHtml(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <p>Cairn</p>
          <h1>${layout.title}</h1>
          ${layout.signOut}
        </header>
        <main>${layout.body}</main>
        <footer><p>Moderator pages. Every action asks for a reason and goes to the audit log.</p></footer>
      </body>
    </html>`.value
  }`;
}

/** A page that says one thing: a refusal or a notice, as one escaped line. */
export function linePage(title: string, line: string, tone: "refusal" | "notice"): string {
  return page({
    title,
    body: html`<p class="${tone}" role="${tone === "refusal" ? "alert" : "status"}">${line}</p>`,
  });
}
