import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedPostgresError, socketDirectory, startEmbeddedPostgres } from "../../src/db/embedded.ts";
import { migrate } from "../../src/db/migrate.ts";
import { freePort } from "../support/ports.ts";
import { MIGRATIONS_DIR } from "../support/template.ts";

async function scalar<T>(url: string, sql: string, values: unknown[] = []): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Object.values((await client.query(sql, values)).rows[0] ?? {})[0] as T;
  } finally {
    await client.end();
  }
}

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "cairn-embedded-"));
  // mkdtemp makes 0700 folders; the postgres user must be able to walk into it.
  await chmod(root, 0o755);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("startEmbeddedPostgres", () => {
  it("initialises a cluster, keeps its data across a restart, and stops", async () => {
    const dataDir = path.join(root, "pgdata");
    const port = await freePort();

    const first = await startEmbeddedPostgres({ dataDir, port });
    try {
      expect(first.databaseUrl).toMatch(
        new RegExp(
          `^postgresql://postgres:[^@]+@localhost:${port}/cairn\\?host=${encodeURIComponent(dataDir)}$`,
        ),
      );
      // The application's connections come through the socket (no server address),
      // and the server still takes TCP on 127.0.0.1 with the same password.
      expect(await scalar(first.databaseUrl, "SELECT inet_server_addr()")).toBeNull();
      const tcp = new URL(first.databaseUrl);
      tcp.hostname = "127.0.0.1";
      tcp.search = "";
      expect(await scalar<string>(tcp.toString(), "SELECT host(inet_server_addr())")).toBe("127.0.0.1");
      expect(
        (await migrate(first.databaseUrl, { migrationsDir: MIGRATIONS_DIR })).applied.length,
      ).toBeGreaterThan(0);
      await scalar(first.databaseUrl, `INSERT INTO community (name) VALUES ($1) RETURNING id`, ["Kept"]);
      await expect(startEmbeddedPostgres({ dataDir, port: await freePort() })).rejects.toThrow(
        /^embedded PostgreSQL in \S+ is already running \(pid \d+, started by process \d+\)$/,
      );
    } finally {
      await first.stop();
    }

    const second = await startEmbeddedPostgres({ dataDir, port });
    try {
      expect(second.databaseUrl).toBe(first.databaseUrl);
      expect((await migrate(second.databaseUrl, { migrationsDir: MIGRATIONS_DIR })).applied).toEqual([]);
      expect(await scalar<string>(second.databaseUrl, "SELECT name FROM community")).toBe("Kept");
    } finally {
      await second.stop();
    }
  });

  it("reports in one line when its server dies under it, and stops at once afterwards (found by npm run faults)", async () => {
    const dataDir = path.join(root, "dying");
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    let settled = false;
    void server.lost.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);
    const pid = Number((await readFile(path.join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
    process.kill(pid, "SIGKILL");
    const line = await server.lost;
    expect(line).toMatch(/^embedded PostgreSQL in .+ stopped unexpectedly \(SIGKILL\)/);
    expect(line).not.toContain("\n");
    // Nothing is left to stop: this must not wait for an exit that already happened.
    await server.stop();
  });

  it("puts its socket in a folder whose name holds a space and a comma", async () => {
    const dataDir = path.join(root, "data, with space");
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    try {
      expect(new URL(server.databaseUrl).searchParams.get("host")).toBe(dataDir);
      expect(await scalar(server.databaseUrl, "SELECT inet_server_addr()")).toBeNull();
    } finally {
      await server.stop();
    }
  });

  it("serves over 127.0.0.1 alone when the socket's path would be too long for the system", async () => {
    const dataDir = path.join(root, "x".repeat(100));
    const port = await freePort();
    expect(socketDirectory(dataDir, port)).toBeNull();
    const server = await startEmbeddedPostgres({ dataDir, port });
    try {
      expect(server.databaseUrl).toMatch(new RegExp(`@127\\.0\\.0\\.1:${port}/cairn$`));
      expect(await scalar<string>(server.databaseUrl, "SELECT host(inet_server_addr())")).toBe("127.0.0.1");
    } finally {
      await server.stop();
    }
  });

  it("says in one line that the port is busy", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const start = startEmbeddedPostgres({ dataDir: path.join(root, "busy"), port });

      await expect(start).rejects.toBeInstanceOf(EmbeddedPostgresError);
      await expect(start).rejects.toThrow(
        new RegExp(`^port ${port} on 127\\.0\\.0\\.1 is already in use; [^\\n]*EMBEDDED_PG_PORT`),
      );
    } finally {
      blocker.close();
    }
  });
});
