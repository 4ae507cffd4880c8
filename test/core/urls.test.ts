import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeEvidenceUrl, parseLinks } from "../../src/core/urls.ts";

const normal = (raw: string): string => {
  const result = normalizeEvidenceUrl(raw);
  if (!result.ok) throw new Error(`refused ${raw}`);
  return result.value;
};

describe("normalising evidence links", () => {
  it.each([
    ["HTTPS://GitHub.COM/Cairn/Pull/1", "https://github.com/Cairn/Pull/1"],
    ["https://example.com/", "https://example.com"],
    ["https://example.com", "https://example.com"],
    ["https://example.com/docs/", "https://example.com/docs"],
    ["https://example.com/docs//", "https://example.com/docs"],
    ["https://example.com:443/a", "https://example.com/a"],
    ["http://example.com:80/a", "http://example.com/a"],
    ["http://example.com:8080/a", "http://example.com:8080/a"],
    ["https://example.com/a#section-2", "https://example.com/a"],
    ["https://example.com/a?utm_source=x&utm_medium=y&id=3", "https://example.com/a?id=3"],
    [
      "https://example.com/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ref=5&ref_src=6&igshid=7&si=8",
      "https://example.com/a",
    ],
    ["https://example.com/a?UTM_Campaign=z&b=2", "https://example.com/a?b=2"],
    ["https://example.com/a?z=1&a=2&m=3", "https://example.com/a?a=2&m=3&z=1"],
    ["https://example.com/a?tag=2&tag=1", "https://example.com/a?tag=2&tag=1"],
    ["https://example.com/search?q=hello%20world", "https://example.com/search?q=hello%20world"],
    ["https://www.example.com/", "https://www.example.com"],
    ["  <https://example.com/a>  ", "https://example.com/a"],
    ["https://example.com/a?", "https://example.com/a"],
  ])("turns %j into %j", (raw, canonical) => expect(normal(raw)).toBe(canonical));

  it("treats the same page typed differently as one link", () => {
    expect(normal("https://Example.com/post/?utm_source=tw&b=2&a=1#top")).toBe(
      normal("https://example.com/post?a=1&b=2"),
    );
  });

  it.each([
    "ftp://example.com/file",
    "javascript:alert(1)",
    "example.com/page",
    "https://",
    "mailto:someone@example.com",
    "https://user:secret@example.com/",
    "not a link",
    `https://example.com/${"a".repeat(2040)}`,
  ])("refuses %j", (raw) => {
    const result = normalizeEvidenceUrl(raw);
    expect(result.ok ? "accepted" : result.error.code).toBe("BAD_LINK");
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        const once = normalizeEvidenceUrl(url);
        if (!once.ok) return;
        expect(normalizeEvidenceUrl(once.value)).toEqual(once);
      }),
    );
  });
});

describe("parsing a contribution's links", () => {
  it("normalises each link and drops repeats, keeping the first order", () => {
    expect(parseLinks(["https://b.example/", "https://a.example", "HTTPS://B.example"])).toEqual({
      ok: true,
      value: ["https://b.example", "https://a.example"],
    });
  });

  it("accepts no links", () => expect(parseLinks([])).toEqual({ ok: true, value: [] }));

  it("accepts five links and refuses a sixth", () => {
    const links = Array.from({ length: 6 }, (_, i) => `https://example.com/${i}`);
    expect(parseLinks(links.slice(0, 5)).ok).toBe(true);
    expect(parseLinks(links)).toEqual({ ok: false, error: { code: "TOO_MANY_LINKS", detail: { max: 5 } } });
  });

  it("counts repeats once towards the limit", () => {
    const links = [
      ...Array.from({ length: 5 }, (_, i) => `https://example.com/${i}`),
      "https://example.com/0/",
    ];
    expect(parseLinks(links).ok).toBe(true);
  });

  it("says which link is bad", () => {
    const result = parseLinks(["https://example.com", "ftp://example.com"]);
    expect(result.ok ? "accepted" : result.error).toMatchObject({
      code: "BAD_LINK",
      detail: { position: 2 },
    });
  });
});
