// The session cookie's flags and the Cookie header reader.
import { describe, expect, it } from "vitest";
import {
  clearSessionCookie,
  readCookie,
  sessionCookie,
} from "../../../../src/http/web/moderation/cookies.ts";
import { escapeHtml, html } from "../../../../src/http/web/moderation/html.ts";

describe("the session cookie", () => {
  it("is HttpOnly and SameSite=Lax always, and Secure when the pages are on https", () => {
    expect(sessionCookie("s", 60, false)).toBe("cairn_session=s; Path=/; Max-Age=60; HttpOnly; SameSite=Lax");
    expect(sessionCookie("s", 60.7, true)).toBe(
      "cairn_session=s; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure",
    );
    expect(clearSessionCookie(true)).toBe(
      "cairn_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure",
    );
  });

  it("is read from a Cookie header among others, by exact name", () => {
    expect(readCookie("a=1; cairn_session=xyz; b=2", "cairn_session")).toBe("xyz");
    expect(readCookie("xcairn_session=1", "cairn_session")).toBeUndefined();
    expect(readCookie(undefined, "cairn_session")).toBeUndefined();
  });
});

describe("the pages' HTML", () => {
  it("escapes every interpolated value, quotes included, and nests inner templates as they are", () => {
    expect(escapeHtml(`<a href='javascript:x'>"&"</a>`)).toBe(
      "&lt;a href=&#39;javascript:x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;",
    );
    const inner = html`<b>${"<i>"}</b>`;
    expect(html`<p title="${'"x'}">${inner}</p>`.value).toBe('<p title="&quot;x"><b>&lt;i&gt;</b></p>');
  });
});
