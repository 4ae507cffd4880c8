import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { buildExport } from "./app/exports.ts";
import { exportLedgerLines, verifyLedgerFile } from "./app/ledgerAudit.ts";
import { systemClock } from "./app/deps.ts";
import { createOperatorToken } from "./app/tokens.ts";
import { runMcpStdio } from "./mcp/stdio.ts";
import { refusalText } from "./views/refusals.ts";
import { catalog } from "./commands/catalog.ts";
import { loadConfig, readEnvironment, redact, type Config } from "./config.ts";
import { parseWindow } from "./core/periods.ts";
import { createLogger, type Logger } from "./logger.ts";
import { runConsoleWithJobs } from "./console.ts";
import { consoleChat, ensureDemoCommunity } from "./platforms/console/session.ts";
import { deployCommands } from "./platforms/discord/index.ts";
import { configuredPlatforms } from "./platforms/registry.ts";
import { openDatabase } from "./runtime.ts";
import { serve, type ProcessRole } from "./serve.ts";
import { readCommandLine, type Flag } from "./cliArgs.ts";

const USAGE = `Usage: cairn [start | bot | worker | console | migrate | ledger verify FILE | ledger export [FILE] | export [WINDOW] [--json] [--out FILE]]
  start                bots, background workers and HTTP in one process (default when a platform token is set)
  bot                  the bots and HTTP only; run workers with \`cairn worker\`
  worker               background workers and HTTP only; several may share one Redis and one PostgreSQL
  deploy-commands [--guild ID]  register the Discord slash commands (globally, or in one server at once)
  console              chat with Cairn in the terminal (default without platform tokens); reads a script from stdin
  migrate              apply pending database migrations
  ledger verify FILE   check the hash chain of a ledger export (JSON lines)
  ledger export [FILE] write the demo community's ledger as JSON lines (stdout without FILE)
  export [WINDOW]      attribution CSV (or --json) of the demo community for a window (all, month, 30d, …)
  token create NAME SCOPES… [--agent] [--community ID]  an API token (scopes: read contribute vote moderate export) for the demo community or community ID; the secret is the last line
  mcp                  serve the Model Context Protocol over stdin/stdout as the API token in CAIRN_TOKEN (for a desktop agent client)
  --help, -h           this text`;

/** Kept so a failure message can be scrubbed of the configured secrets. */
let loadedConfig: Config | undefined;

/** The composition root: reads the configuration once and runs one command. */
async function main(argv: readonly string[]): Promise<number> {
  const line = readCommandLine(argv);
  if (line.kind === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (line.kind === "refused") {
    process.stderr.write(`cairn: ${line.message}\n`);
    return 2;
  }
  const { args, flags } = line;
  if (line.command === "ledger" && args[0] === "verify") return verifyFile(args[1]);
  const config = loadConfig(readEnvironment(process.cwd()));
  loadedConfig = config;
  const command = line.command ?? defaultCommand(config);
  switch (command) {
    case "start":
    case "bot":
    case "worker":
      return serveCommand(config, command);
    case "deploy-commands":
      return deployCommandsCommand(config, stringFlag(flags["guild"]));
    case "console":
      return consoleCommand(config);
    case "migrate":
      return migrateCommand(config);
    case "ledger":
      if (args[0] === "export") return ledgerExportCommand(config, args[1]);
      break;
    case "export":
      return exportCommand(config, args[0], { json: flags["json"] === true, out: stringFlag(flags["out"]) });
    case "mcp":
      return mcpCommand(config);
    case "token":
      if (args[0] === "create")
        return tokenCommand(config, args.slice(1), stringFlag(flags["community"]), flags["agent"] === true);
      break;
  }
  process.stderr.write(`cairn: unknown command "${[command, ...args].join(" ")}"\n${USAGE}\n`);
  return 2;
}

/** With a platform token the bot runs; without one, the console chat. */
function defaultCommand(config: Config): string {
  return config.discordToken !== undefined || config.telegramBotToken !== undefined ? "start" : "console";
}

async function serveCommand(config: Config, role: ProcessRole): Promise<number> {
  const logger = createLogger(config);
  return withDatabase(
    config,
    (database) =>
      serve({ role, config, database, catalog, platforms: configuredPlatforms(config), log: logger }),
    logger,
  );
}

async function withDatabase<T>(
  config: Config,
  work: (open: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>,
  logger: Logger = createLogger(config, { destination: process.stderr }),
): Promise<T> {
  const open = await openDatabase(
    { databaseUrl: config.databaseUrl, dataDir: config.dataDir, embeddedPort: config.embeddedPgPort },
    (line) => logger.info(line),
  );
  try {
    return await work(open);
  } finally {
    await open.close();
  }
}

async function consoleCommand(config: Config): Promise<number> {
  const logger = createLogger(config, { destination: process.stderr });
  const interactive = process.stdin.isTTY === true;
  // A person at the prompt wants the chat, not start-up chatter, unless they asked for more.
  if (interactive && config.logLevel === "info") logger.level = "warn";
  return withDatabase(
    config,
    async (open) => {
      if (interactive) process.stdout.write(`Database: ${open.description}\n`);
      await runConsoleWithJobs({
        deps: { db: open.db, store: open.store },
        queue: { databaseUrl: open.databaseUrl, redisUrl: config.redisUrl },
        log: logger,
        catalog,
        input: process.stdin,
        output: process.stdout,
        interactive,
        communityName: config.demoCommunity,
        exportDir: path.resolve(config.dataDir, "exports"),
        onError: (error, name) => logger.error({ err: error, command: name }, "command failed"),
        // A person at the prompt also gets the demo community's pages in a browser.
        ...(interactive
          ? {
              web: {
                port: config.httpPort,
                ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
                announce: (line: string) => void process.stdout.write(`${line}\n`),
              },
            }
          : {}),
      });
      return 0;
    },
    logger,
  );
}

function stringFlag(value: Flag): string | undefined {
  return typeof value === "string" ? value : undefined;
}

async function deployCommandsCommand(config: Config, guildId: string | undefined): Promise<number> {
  if (config.discordToken === undefined || config.discordApplicationId === undefined) {
    process.stderr.write("cairn: deploy-commands needs DISCORD_TOKEN and DISCORD_APPLICATION_ID\n");
    return 2;
  }
  if (guildId !== undefined && !/^\d{17,20}$/.test(guildId)) {
    process.stderr.write("cairn: --guild needs a server id (17 to 20 digits)\n");
    return 2;
  }
  const { count } = await deployCommands(
    {
      token: config.discordToken,
      applicationId: config.discordApplicationId,
      catalog,
      ...(config.discordApiUrl === undefined ? {} : { api: config.discordApiUrl }),
    },
    guildId,
  );
  process.stdout.write(
    `Registered ${count} slash commands ${guildId === undefined ? "globally (Discord may take up to an hour to show them everywhere)" : `in server ${guildId}`}.\n`,
  );
  return 0;
}

async function migrateCommand(config: Config): Promise<number> {
  return withDatabase(config, async (open) => {
    process.stdout.write(`Migrations are up to date (${open.description}).\n`);
    return 0;
  });
}

async function verifyFile(file: string | undefined): Promise<number> {
  if (file === undefined) {
    process.stderr.write("cairn: ledger verify needs a FILE (a ledger export in JSON lines)\n");
    return 2;
  }
  const result = await verifyLedgerFile(file);
  if (!result.ok) {
    process.stderr.write(
      `cairn: ${result.error.code === "UNREADABLE_FILE" ? `cannot read ${file}` : `line ${result.error.detail?.["line"] ?? "?"} is not a ledger entry`}\n`,
    );
    return 2;
  }
  const chain = result.value;
  if (chain.ok) {
    process.stdout.write(`OK: ${chain.count} entries, head #${chain.headSeq} ${chain.headHash}\n`);
    return 0;
  }
  process.stdout.write(
    `BROKEN at entry #${chain.brokenAtSeq}: ${chain.reason} (${chain.count} entries before it verified)\n`,
  );
  return 1;
}

async function demoCommunityId(open: Awaited<ReturnType<typeof openDatabase>>): Promise<number | null> {
  const space = await open.db.space.findUnique({
    where: {
      platform_platformChatId: { platform: consoleChat.platform, platformChatId: consoleChat.chatId },
    },
  });
  return space?.communityId ?? null;
}

async function ledgerExportCommand(config: Config, file: string | undefined): Promise<number> {
  return withDatabase(config, async (open) => {
    const communityId = await demoCommunityId(open);
    if (communityId === null) {
      process.stderr.write("cairn: no console community yet; run `cairn console` first\n");
      return 1;
    }
    const out = file === undefined ? process.stdout : createWriteStream(file);
    for await (const line of exportLedgerLines(open.db, communityId)) {
      if (!out.write(`${line}\n`)) await once(out, "drain");
    }
    if (file !== undefined) {
      out.end();
      await once(out, "finish");
    }
    return 0;
  });
}

async function exportCommand(
  config: Config,
  windowText: string | undefined,
  { json, out: outFile }: { readonly json: boolean; readonly out: string | undefined },
): Promise<number> {
  const window = parseWindow(windowText);
  if (!window.ok) {
    process.stderr.write(
      "cairn: windows are all, week, month, 7d, 30d, season:NAME or YYYY-MM-DD..YYYY-MM-DD\n",
    );
    return 2;
  }
  return withDatabase(config, async (open) => {
    const communityId = await demoCommunityId(open);
    if (communityId === null) {
      process.stderr.write("cairn: no console community yet; run `cairn console` first\n");
      return 1;
    }
    const actor = { communityId, memberId: 0, isModerator: true, spaceId: null };
    const result = await buildExport(
      { db: open.db, store: open.store, clock: systemClock },
      { actor, window: window.value, format: json ? "json" : "csv" },
    );
    if (!result.ok) {
      process.stderr.write(`cairn: export refused (${result.error.code})\n`);
      return 1;
    }
    if (outFile === undefined) process.stdout.write(result.value.content);
    else {
      await mkdir(path.dirname(path.resolve(outFile)), { recursive: true });
      await writeFile(outFile, result.value.content);
      process.stdout.write(`Wrote ${outFile}\n`);
    }
    return 0;
  });
}

/** `cairn token create NAME SCOPES… [--agent] [--community ID]`: the secret alone on the last line, for scripts. */
async function tokenCommand(
  config: Config,
  args: readonly string[],
  communityText: string | undefined,
  agent: boolean,
): Promise<number> {
  if (communityText !== undefined && !/^\d{1,9}$/.test(communityText)) {
    process.stderr.write("cairn: --community needs a community id (a number)\n");
    return 2;
  }
  const [name, ...scopes] = args;
  if (name === undefined || scopes.length === 0) {
    process.stderr.write(`cairn: usage: cairn token create NAME SCOPES… [--agent] [--community ID]\n`);
    return 2;
  }
  return withDatabase(config, async (open) => {
    const deps = { db: open.db, store: open.store, clock: systemClock };
    const communityId =
      communityText === undefined
        ? await ensureDemoCommunity(deps, config.demoCommunity)
        : Number(communityText);
    const result = await createOperatorToken(deps, communityId, { name, scopes, agent });
    if (!result.ok) {
      process.stderr.write(`cairn: ${refusalText(result.error)}\n`);
      return 1;
    }
    const { token, scopes: granted } = result.value;
    const actsAs = result.value.agentMemberId === null ? "" : " (an agent member, owned by the operator)";
    process.stdout.write(
      `Token ${result.value.name}${actsAs} for community ${communityId}, scopes ${granted.join(", ")}:\n${token}\n`,
    );
    return 0;
  });
}

/** `cairn mcp`: stdout carries the protocol, so every log line goes to stderr. */
async function mcpCommand(config: Config): Promise<number> {
  const token = config.cairnToken;
  if (token === undefined) {
    process.stderr.write("cairn: mcp needs CAIRN_TOKEN (an API token; cairn token create prints one)\n");
    return 2;
  }
  const logger = createLogger(config, { destination: process.stderr });
  const stopped = new Promise((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  return withDatabase(
    config,
    async (open) => {
      const end = await runMcpStdio({
        deps: { db: open.db, store: open.store, clock: systemClock },
        token,
        input: process.stdin,
        output: process.stdout,
        stopped,
      });
      if (end.ok) return 0;
      process.stderr.write(`cairn: ${refusalText(end.error)}\n`);
      return 2;
    },
    logger,
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`cairn: ${redact(message.split("\n")[0] ?? message, loadedConfig ?? {})}\n`);
    process.exitCode = 1;
  },
);
