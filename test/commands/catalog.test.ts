import { describe, expect, it } from "vitest";
import { catalog, catalogNames } from "../../src/commands/catalog.ts";
import { positionalArguments } from "../../src/commands/dispatch.ts";
import { parseContributeArgs } from "../../src/commands/contributor.ts";

const productCommands = [
  "/contribute",
  "/vote",
  "/withdraw",
  "/edit",
  "/appeal",
  "/contribution",
  "/contributions",
  "/leaderboard",
  "/profile",
  "/link",
  "/help",
  "/review queue",
  "/review approve",
  "/review reject",
  "/review void",
  "/review extend",
  "/review reopen",
  "/member ban",
  "/member unban",
  "/member adjust",
  "/config show",
  "/config set",
  "/category add",
  "/category edit",
  "/category remove",
  "/season add",
  "/season end",
  "/community link",
  "/community join",
  "/community chats",
  "/community unlink",
  "/export",
  "/ledger verify",
];

describe("command catalog", () => {
  it("offers every command of the product, each once", () => {
    const names = catalogNames();
    expect(new Set(names).size).toBe(names.length);
    for (const command of productCommands) expect(names).toContain(command);
  });

  it("marks every moderator command as moderator-only", () => {
    const moderatorGroups = [
      "review",
      "member",
      "config",
      "category",
      "season",
      "community",
      "export",
      "ledger",
      "token",
    ];
    for (const spec of catalog)
      expect(spec.audience === "moderator").toBe(moderatorGroups.includes(spec.name));
  });

  it("keeps required options before optional ones so text arguments map by position", () => {
    for (const spec of catalog) {
      const firstOptional = spec.options.findIndex((o) => !o.required);
      if (firstOptional !== -1)
        expect(spec.options.slice(firstOptional).every((o) => !o.required)).toBe(true);
    }
  });
});

describe("text arguments", () => {
  const vote = catalog.find((c) => c.name === "vote");

  it("give the rest of the line to a trailing text option", () => {
    expect(vote).toBeDefined();
    if (vote === undefined) return;
    expect(positionalArguments(vote)(["#3", "info", "did", "you", "test", "it?"])).toEqual({
      contribution: "#3",
      choice: "info",
      detail: "did you test it?",
    });
  });

  it("are a usage error when a required one is missing or one is left over", () => {
    if (vote === undefined) return;
    expect(positionalArguments(vote)(["#3"])).toBeNull();
    const withdraw = catalog.find((c) => c.name === "withdraw");
    if (withdraw === undefined) throw new Error("withdraw missing");
    expect(positionalArguments(withdraw)(["#3", "extra"])).toBeNull();
  });

  it("split a contribution into category, title, links, co-authors and description", () => {
    expect(
      parseContributeArgs([
        "docs",
        "Fixed",
        "the",
        "guide",
        "https://x.org/1",
        "with",
        "@bob:40",
        "|",
        "long",
        "story",
      ]),
    ).toEqual({
      category: "docs",
      title: "Fixed the guide",
      links: ["https://x.org/1"],
      credits: ["@bob:40"],
      description: "long story",
    });
    expect(parseContributeArgs([])).toBeNull();
  });

  it("treat a javascript: link as a link, so it is refused rather than hidden in the title", () => {
    expect(parseContributeArgs(["docs", "x", "javascript:alert(1)"])).toMatchObject({
      links: ["javascript:alert(1)"],
    });
  });
});

describe("the word with in a contribution", () => {
  it("belongs to the title unless mentions follow it", () => {
    expect(parseContributeArgs(["code", "Fix", "crash", "with", "parser"])).toMatchObject({
      title: "Fix crash with parser",
      credits: [],
    });
    expect(parseContributeArgs(["code", "Pair", "work", "with", "@bob:50"])).toMatchObject({
      title: "Pair work",
      credits: ["@bob:50"],
    });
  });

  it("refuses malformed co-author shares instead of passing them on", () => {
    const contribute = catalog.find((c) => c.name === "contribute");
    const parsed = contribute?.input.safeParse({ category: "code", title: "x", credits: ["@alice:150"] });
    expect(parsed?.success).toBe(false);
  });
});
