// The frame of every public page: landmarks (banner, navigation, main,
// contentinfo), a skip link, Open Graph tags, and one small stylesheet that
// reads on a phone and keeps text contrast above WCAG AA.
import { html, stripBidiControls, trusted, userText, type Html } from "./html.ts";

export interface PageFrame {
  /** Plain text; escaped. */
  readonly title: string;
  readonly community: { readonly id: number; readonly name: string };
  /** Absolute address of this page, for og:url. */
  readonly url: string;
  readonly description: string;
  /** Absolute address of the page's Open Graph picture, if it has one. */
  readonly image?: string;
  /** Which entry of the navigation is this page. */
  readonly section: "board" | "contributions" | "seasons" | "ledger" | "downloads" | "other";
  readonly body: Html;
  /** Scripts of this site to load (the ledger check). */
  readonly scripts?: readonly string[];
}

const STYLE = `
:root{color-scheme:light;--ink:#1b1f24;--muted:#4a5361;--line:#d0d7de;--band:#f3f5f8;--link:#0a53be;--bad:#a4161a;--good:#1a6b35}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--ink);background:#fff}
a{color:var(--link)}
a:focus-visible,button:focus-visible,select:focus-visible,input:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
.skip:focus{left:.5rem}
header{background:var(--band);border-bottom:1px solid var(--line)}
header .in,main,footer .in{max-width:60rem;margin:0 auto;padding:.75rem 1rem}
header .site{font-weight:700;font-size:1.15rem;margin:0}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:.25rem 0 0;padding:0}
nav a[aria-current=page]{font-weight:700;color:var(--ink)}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.25rem 0;color:var(--muted)}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
td.num,th.num{text-align:right}
td{overflow-wrap:anywhere}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin:0 0 1rem}
form.filters label{display:flex;flex-direction:column;font-size:.9rem;color:var(--muted)}
select,input,button{font:inherit;padding:.3rem .5rem;border:1px solid #6b7280;border-radius:4px;background:#fff;color:var(--ink)}
button{background:var(--link);color:#fff;border-color:var(--link);cursor:pointer}
.windows{display:flex;flex-wrap:wrap;gap:.25rem .75rem;list-style:none;padding:0;margin:0 0 .75rem}
.windows a[aria-current=true]{font-weight:700;color:var(--ink);text-decoration:none}
.muted{color:var(--muted)}
.written{white-space:pre-wrap;overflow-wrap:anywhere}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;overflow-wrap:anywhere}
code,.hash{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em;overflow-wrap:anywhere}
.pager{display:flex;flex-wrap:wrap;gap:.5rem 1rem;margin:1rem 0}
.check{padding:.5rem .75rem;border:1px solid var(--line);border-radius:4px;background:var(--band)}
.check.good{border-color:var(--good);color:var(--good)}
.check.bad{border-color:var(--bad);color:var(--bad)}
tr.broken td{background:#fde8e8}
.mark{font-size:.8em;color:var(--muted)}
footer{border-top:1px solid var(--line);margin-top:2rem;color:var(--muted);font-size:.9rem}
`;

const SECTIONS = [
  { key: "board", label: "Board", path: "" },
  { key: "contributions", label: "Contributions", path: "/contributions" },
  { key: "seasons", label: "Seasons", path: "/seasons" },
  { key: "ledger", label: "Ledger", path: "/ledger" },
  { key: "downloads", label: "Downloads", path: "/downloads" },
] as const;

/** The whole document of a public page. */
export function page(given: PageFrame): string {
  // Titles and descriptions carry names: no directional override may reach the tab or a preview.
  const frame = {
    ...given,
    title: stripBidiControls(given.title),
    description: stripBidiControls(given.description),
    community: { id: given.community.id, name: stripBidiControls(given.community.name) },
  };
  const base = `/c/${frame.community.id}`;
  const nav = SECTIONS.map(
    (s) =>
      html`<li>
        <a href="${base}${s.path}" ${frame.section === s.key ? trusted(' aria-current="page"') : ""}
          >${s.label}</a
        >
      </li>`,
  );
  const image =
    frame.image === undefined
      ? ""
      : html`<meta property="og:image" content="${frame.image}" />
          <meta property="og:image:width" content="1200" />
          <meta property="og:image:height" content="630" />
          <meta name="twitter:card" content="summary_large_image" />`;
  const scripts = (frame.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`);
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${frame.title} · ${frame.community.name}</title>
        <meta name="description" content="${frame.description}" />
        <meta property="og:type" content="website" />
        <meta property="og:site_name" content="${frame.community.name}" />
        <meta property="og:title" content="${frame.title}" />
        <meta property="og:description" content="${frame.description}" />
        <meta property="og:url" content="${frame.url}" />
        ${image}
        <style>
          ${trusted(STYLE)}
        </style>
        ${scripts}
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header>
          <div class="in">
            <p class="site">${userText(frame.community.name)}</p>
            <nav aria-label="Community pages">
              <ul>
                ${nav}
              </ul>
            </nav>
          </div>
        </header>
        <main id="main">${frame.body}</main>
        <footer>
          <div class="in">Contributions verified by peers and kept in a hash-chained ledger, by Cairn.</div>
        </footer>
      </body>
    </html> `.text;
}

/** The one-line page of a refusal or of pages that are off. */
export function notice(title: string, line: string): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          ${trusted(STYLE)}
        </style>
      </head>
      <body>
        <main id="main">
          <h1>${title}</h1>
          <p>${line}</p>
        </main>
      </body>
    </html> `.text;
}
