// `cairn token create` as an operator's script runs it.
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { authenticateToken } from "../src/app/tokens.ts";
import { systemClock } from "../src/app/deps.ts";
import { newCommunity } from "./support/communities.ts";
import { useTestDatabase } from "./support/db.ts";

const database = useTestDatabase();

function cairn(args: readonly string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", ...args],
      { env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: "silent" }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ stdout, stderr, code: error === null ? 0 : Number(error.code ?? 1) }),
    );
  });
}

describe("cairn token create", () => {
  it("prints the secret alone on its last line, for the demo community or the one named", async () => {
    const demo = await cairn(["token", "create", "ci", "read", "contribute"]);
    expect(demo.code).toBe(0);
    const token = demo.stdout.trim().split("\n").at(-1) ?? "";
    expect(token).toMatch(/^cairn_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
    const caller = await authenticateToken(
      { db: database.db, store: database.store, clock: systemClock },
      token,
    );
    expect(caller).toMatchObject({ ok: true, value: { scopes: ["read", "contribute"] } });

    const community = await newCommunity(database);
    const named = await cairn([
      "token",
      "create",
      "exporter",
      "export",
      "--community",
      String(community.communityId),
    ]);
    expect(named.code).toBe(0);
    const other = await authenticateToken(community.deps, named.stdout.trim().split("\n").at(-1) ?? "");
    expect(other).toMatchObject({ ok: true, value: { actor: { communityId: community.communityId } } });

    const refused = await cairn(["token", "create", "ci", "read"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe("cairn: A token called ci already exists; choose another name.");
  }, 90_000);

  it("with --agent makes an agent member of that name, owned by the operator", async () => {
    const community = await newCommunity(database);
    const made = await cairn([
      "token",
      "create",
      "labeller",
      "contribute",
      "--agent",
      "--community",
      String(community.communityId),
    ]);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/an agent member, owned by the operator/);
    const caller = await authenticateToken(community.deps, made.stdout.trim().split("\n").at(-1) ?? "");
    if (!caller.ok) throw new Error(caller.error.code);
    const agent = await database.db.member.findUniqueOrThrow({ where: { id: caller.value.actor.memberId } });
    expect(agent).toMatchObject({ displayName: "labeller", kind: "AGENT" });
    const owner = await database.db.member.findUniqueOrThrow({ where: { id: agent.ownerId ?? 0 } });
    expect(owner.displayName).toBe("operator");
  }, 90_000);
});
