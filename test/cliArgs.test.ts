import { describe, expect, it } from "vitest";
import { readCommandLine } from "../src/cliArgs.ts";

describe("reading cairn's command line", () => {
  it("leaves the command to the configuration when none is given", () => {
    expect(readCommandLine([])).toEqual({ kind: "run", command: undefined, args: [], flags: {} });
  });

  it.each([["--help"], ["-h"], ["help"], ["console", "--help"], ["export", "month", "-h"]])(
    "answers %j with the help",
    (...argv) => expect(readCommandLine(argv)).toEqual({ kind: "help" }),
  );

  it("reads each command's own flags, in any order", () => {
    expect(readCommandLine(["export", "--out", "a.csv", "month", "--json"])).toEqual({
      kind: "run",
      command: "export",
      args: ["month"],
      flags: { out: "a.csv", json: true },
    });
    expect(readCommandLine(["deploy-commands", "--guild", "123456789012345678"])).toMatchObject({
      command: "deploy-commands",
      flags: { guild: "123456789012345678" },
    });
    expect(readCommandLine(["ledger", "verify", "ledger.jsonl"])).toMatchObject({
      command: "ledger",
      args: ["verify", "ledger.jsonl"],
    });
  });

  it.each([
    [["console", "--bogus"], "unknown option --bogus for cairn console; see cairn --help"],
    [["--verbose"], "unknown option --verbose for cairn; see cairn --help"],
    [["export", "--guild", "1"], "unknown option --guild for cairn export; see cairn --help"],
    [["start", "-x"], "unknown option -x for cairn start; see cairn --help"],
    [["export", "month", "--out"], "option --out of cairn export needs a value"],
    [["deploy-commands", "--guild"], "option --guild of cairn deploy-commands needs a value"],
    [["export", "--json=yes"], "option --json of cairn export takes no value"],
  ])("refuses %j in one line", (argv, message) => {
    expect(readCommandLine(argv)).toEqual({ kind: "refused", message });
  });
});
