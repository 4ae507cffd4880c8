import { describe, expect, it } from "vitest";
import {
  chatSettingValue,
  communityConfigSchema,
  configKeys,
  defaultCommunityConfig,
  describeConfig,
  readCommunityConfig,
  setConfigValue,
  type CommunityConfig,
} from "../../src/core/config.ts";

const defaults = defaultCommunityConfig();

function set(key: string, raw: string, config: CommunityConfig = defaults): CommunityConfig {
  const result = setConfigValue(config, key, raw);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.error)}`);
  return result.value;
}

describe("default community configuration", () => {
  it("has the product defaults", () => {
    expect(defaults).toEqual({
      quorum: 3,
      approvalRatio: 0.66,
      voteWindowHours: 72,
      minVoterAgeDays: 0,
      maxSubmissionsPerDay: 10,
      maxAgentSubmissionsPerDay: 20,
      agentVoting: false,
      verifierReward: 25,
      impactMultipliers: [50, 75, 100, 150, 200],
      decayHalfLifeDays: 90,
      blindVoting: false,
      publicPages: false,
      voterRole: null,
      moderatorRole: null,
      verificationChat: null,
      leaderboardChat: null,
      modLogChat: null,
      leaderboardCron: "0 9 * * 1",
      timezone: "UTC",
      leaderboardPosts: true,
      digestCron: "0 9 * * *",
      leaderboardSize: 10,
    });
  });

  it("gives each community its own multiplier list", () => {
    const a = defaultCommunityConfig();
    a.impactMultipliers[0] = 1;
    expect(defaultCommunityConfig().impactMultipliers[0]).toBe(50);
  });

  it("lists every key once", () => {
    expect(new Set(configKeys).size).toBe(configKeys.length);
    expect([...configKeys].sort()).toEqual(Object.keys(defaults).sort());
  });
});

describe("reading a stored configuration", () => {
  it("keeps valid stored values", () => {
    const config = readCommunityConfig({
      quorum: 5,
      blindVoting: true,
      voterRole: "123",
      timezone: "Europe/Berlin",
    });
    expect(config).toMatchObject({
      quorum: 5,
      blindVoting: true,
      voterRole: "123",
      timezone: "Europe/Berlin",
    });
  });

  it("falls back to the default for each missing or invalid field, keeping the valid ones", () => {
    const config = readCommunityConfig({
      quorum: 0,
      approvalRatio: 1.5,
      voteWindowHours: 10,
      timezone: "Mars/Olympus",
      leaderboardCron: "every monday",
      impactMultipliers: [1, 2, 3],
      leaderboardSize: 26,
    });
    expect(config).toEqual({ ...defaults, voteWindowHours: 10 });
  });

  it.each([null, undefined, "text", 42, [], [1, 2]])("treats %j as an unconfigured community", (json) => {
    expect(readCommunityConfig(json)).toEqual(defaults);
  });

  it("ignores fields it does not know", () => {
    expect(readCommunityConfig({ retiredOption: true })).toEqual(defaults);
  });

  it("reads back what the schema writes", () => {
    const config = set("blindVoting", "on", set("quorum", "4"));
    expect(readCommunityConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
    expect(communityConfigSchema.parse(config)).toEqual(config);
  });
});

describe("setting a configuration value", () => {
  it("reads whole numbers for counts", () => {
    expect(set("quorum", "5").quorum).toBe(5);
    expect(set("voteWindowHours", "720").voteWindowHours).toBe(720);
    expect(set("leaderboardSize", "25").leaderboardSize).toBe(25);
  });

  it("reads the approval ratio as a decimal or a percentage", () => {
    expect(set("approvalRatio", "0.75").approvalRatio).toBe(0.75);
    expect(set("approvalRatio", "1").approvalRatio).toBe(1);
    expect(set("approvalRatio", "80%").approvalRatio).toBe(0.8);
  });

  it("reads the verifier reward in points and stores hundredths", () => {
    expect(set("verifierReward", "0.5").verifierReward).toBe(50);
    expect(set("verifierReward", "0").verifierReward).toBe(0);
  });

  it("reads impact multipliers as five comma-separated percentages", () => {
    expect(set("impactMultipliers", "25, 50,100,200,400").impactMultipliers).toEqual([25, 50, 100, 200, 400]);
  });

  it("reads on/off and true/false as switches, in any case", () => {
    expect(set("blindVoting", "on").blindVoting).toBe(true);
    expect(set("blindVoting", "TRUE").blindVoting).toBe(true);
    expect(set("leaderboardPosts", "off").leaderboardPosts).toBe(false);
    expect(set("leaderboardPosts", "false").leaderboardPosts).toBe(false);
  });

  it("clears roles and chats with none or off", () => {
    const withRole = set("voterRole", "987654321");
    expect(withRole.voterRole).toBe("987654321");
    expect(set("voterRole", "none", withRole).voterRole).toBeNull();
    expect(set("modLogChat", "off", set("modLogChat", "-100123")).modLogChat).toBeNull();
  });

  it("accepts valid cron schedules and time zones", () => {
    expect(set("leaderboardCron", "30  18 * * fri").leaderboardCron).toBe("30 18 * * fri");
    expect(set("digestCron", "*/15 8-18 1,15 * 1-5").digestCron).toBe("*/15 8-18 1,15 * 1-5");
    expect(set("timezone", "America/New_York").timezone).toBe("America/New_York");
    expect(set("leaderboardCron", "@weekly").leaderboardCron).toBe("@weekly");
    expect(set("leaderboardCron", "0 9 ? * MON#1").leaderboardCron).toBe("0 9 ? * MON#1");
  });

  it("finds keys in any case and with dashes or underscores", () => {
    expect(set("APPROVAL_RATIO", "0.5").approvalRatio).toBe(0.5);
    expect(set("vote-window-hours", "24").voteWindowHours).toBe(24);
  });

  it("changes only the key it sets and leaves the input untouched", () => {
    const before = defaultCommunityConfig();
    const after = set("quorum", "7", before);
    expect(after).toEqual({ ...before, quorum: 7 });
    expect(before.quorum).toBe(3);
  });

  it("refuses an unknown key, listing the known ones", () => {
    const result = setConfigValue(defaults, "colour", "blue");
    expect(result).toEqual({
      ok: false,
      error: { code: "UNKNOWN_CONFIG_KEY", detail: { key: "colour", expected: configKeys.join(", ") } },
    });
  });

  it.each([
    ["quorum", "0"],
    ["quorum", "2.5"],
    ["quorum", "three"],
    ["approvalRatio", "0"],
    ["approvalRatio", "1.2"],
    ["approvalRatio", "150%"],
    ["voteWindowHours", "721"],
    ["minVoterAgeDays", "-1"],
    ["verifierReward", "-0.25"],
    ["verifierReward", "0.125"],
    ["impactMultipliers", "50,75,100,150"],
    ["impactMultipliers", "50,75,100,150,abc"],
    ["blindVoting", "maybe"],
    ["leaderboardCron", "0 9 * *"],
    ["leaderboardCron", "61 9 * * 1"],
    ["digestCron", "0 24 * * *"],
    ["digestCron", "* * * * * *"],
    ["leaderboardCron", "@sometimes"],
    ["timezone", "Mars/Olympus"],
    ["leaderboardSize", "26"],
    ["voterRole", "  "],
  ])("refuses %s = %j, saying what it expects", (key, raw) => {
    const result = setConfigValue(defaults, key, raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("INVALID_CONFIG_VALUE");
    expect(result.error.detail?.key).toBe(key);
    expect(result.error.detail?.expected).toEqual(expect.any(String));
  });
});

describe("describing the configuration", () => {
  it("shows every key in words that /config set accepts back", () => {
    const lines = describeConfig(defaults);
    expect(lines.map(([key]) => key)).toEqual([...configKeys]);
    expect(Object.fromEntries(lines)).toMatchObject({
      quorum: "3",
      approvalRatio: "0.66",
      verifierReward: "0.25",
      impactMultipliers: "50,75,100,150,200",
      blindVoting: "off",
      leaderboardPosts: "on",
      voterRole: "none",
      leaderboardCron: "0 9 * * 1",
    });
    let roundTrip = defaultCommunityConfig();
    for (const [key, text] of describeConfig(set("voterRole", "42", set("verifierReward", "1.5")))) {
      roundTrip = set(key, text, roundTrip);
    }
    expect(roundTrip).toEqual(set("voterRole", "42", set("verifierReward", "1.5")));
  });
});

describe("limits that keep stored scores representable", () => {
  it("refuses a half-life under a week and a verifier reward over 100 points", () => {
    const config = defaultCommunityConfig();
    expect(setConfigValue(config, "decayHalfLifeDays", "3")).toMatchObject({
      ok: false,
      error: { code: "INVALID_CONFIG_VALUE" },
    });
    expect(setConfigValue(config, "verifierReward", "100.01")).toMatchObject({
      ok: false,
      error: { code: "INVALID_CONFIG_VALUE" },
    });
    expect(setConfigValue(config, "verifierReward", "100")).toMatchObject({ ok: true });
  });
});

describe("chatSettingValue", () => {
  it("names the chat a chat setting would store, and nothing for other keys or a cleared one", () => {
    expect(chatSettingValue("verification-chat", " <#920000000000000077> ")).toBe("<#920000000000000077>");
    expect(chatSettingValue("modLogChat", "42")).toBe("42");
    expect(chatSettingValue("leaderboardChat", "none")).toBeNull();
    expect(chatSettingValue("moderatorRole", "930000000000000001")).toBeNull();
    expect(chatSettingValue("nosuchkey", "1")).toBeNull();
  });
});
