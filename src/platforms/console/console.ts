import { formatTime } from "../../views/contribution.ts";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { resolveActor } from "../../app/actors.ts";
import type { Deps } from "../../app/deps.ts";
import { listCategories } from "../../app/community.ts";
import {
  answerContributeDialogue,
  startContributeDialogue,
  type ContributeDialogue,
} from "../../commands/contributeDialogue.ts";
import { findCommand, runCommand, runTextCommand, type Invocation } from "../../commands/dispatch.ts";
import type { AnyCommandSpec, CommandJobs } from "../../commands/types.ts";
import { plainText, renderPlainText } from "../../views/plainText.ts";
import type { View } from "../../views/view.ts";
import { COMMAND_RATE, type CommandWindow } from "../../core/rateLimit.ts";
import { expiringMap } from "../memory.ts";
import {
  consoleChat,
  consoleUser,
  ensureDemoCommunity,
  parseSessionCommand,
  type ConsoleClock,
} from "./session.ts";

/**
 * What the bot does after answering: its background jobs. The console waits
 * for them after each command (deliveries print through the console platform,
 * due deadlines are decided), so a piped script's transcript reads in order.
 */
export interface ConsoleBackground {
  settle(): Promise<void>;
}

export interface ConsoleOptions {
  readonly deps: Omit<Deps, "clock">;
  /** The session's clock, shared with the background jobs so `/wait` reaches deadlines. */
  readonly clock: ConsoleClock;
  readonly background: ConsoleBackground;
  readonly catalog: readonly AnyCommandSpec[];
  readonly input: Readable;
  readonly output: Writable;
  /** A prompt and a greeting for a person at a terminal; off when a script is piped in. */
  readonly interactive: boolean;
  readonly communityName: string;
  /** Where files a command produces (exports) are written; the console prints their path. */
  readonly exportDir: string;
  readonly onError?: (error: unknown, command: string) => void;
  /** The background queues, so large exports run as jobs. */
  readonly jobs?: CommandJobs;
}

/**
 * A chat in the terminal, in the spirit of Hubot's shell: each line is a
 * command from the current member; replies, vote cards and announcements are
 * printed as the bot would post them. Reads a script from stdin just the same.
 */
export async function runConsole(options: ConsoleOptions): Promise<void> {
  const clock = options.clock;
  const deps: Deps = { ...options.deps, clock };
  const print = (text: string): void => {
    options.output.write(`${text}\n`);
  };
  const communityId = await ensureDemoCommunity(deps, options.communityName);
  const dialogues = new Map<string, ContributeDialogue>();
  const commandWindows = expiringMap<string, CommandWindow>(COMMAND_RATE.windowMs, 10_000, () =>
    clock.now().getTime(),
  );
  let user = consoleUser("alice", true);
  if (options.interactive) {
    print(`Cairn console — community "${options.communityName}". You are alice (moderator).`);
    print(
      "Type /help for commands, /as <name> [--mod] to switch member, /wait 73h to move time, /quit to leave.",
    );
  }
  const lines = createInterface({ input: options.input, terminal: false });
  const prompt = (): void => {
    if (options.interactive) options.output.write(`${user.displayName}> `);
  };
  prompt();
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) {
      prompt();
      continue;
    }
    if (!options.interactive) print(`${user.displayName}> ${plainText(line)}`);
    const session = parseSessionCommand(line);
    if (session?.kind === "quit") break;
    if (session?.kind === "invalid") print(`✗ ${session.message}`);
    if (session?.kind === "as") {
      user = consoleUser(session.name, session.moderator);
      // The person joins the demo community now, so others can name them at once.
      await resolveActor(deps, consoleChat, user);
      print(`You are now ${session.name}${session.moderator ? " (moderator)" : ""}.`);
    }
    if (session?.kind === "wait") {
      clock.advance(session.ms);
      print(`Time moves on to ${formatTime(clock.now())}.`);
    }
    // A deadline the clock just passed is decided before the next command reads it.
    await options.background.settle();
    if (session === null) {
      const invocation: Invocation = {
        deps,
        chat: consoleChat,
        user,
        commandWindows,
        ...onError(options),
        ...(options.jobs === undefined ? {} : { jobs: options.jobs }),
      };
      const dialogue = dialogues.get(user.userId);
      let view: View | null;
      if (/^\/contribute\s*$/i.test(line)) {
        const categories = (await listCategories(deps, communityId)).map((c) => c.slug);
        const turn = startContributeDialogue(categories, clock.now());
        if (turn.kind === "ask") dialogues.set(user.userId, turn.dialogue);
        view = turn.kind === "done" ? null : turn.view;
      } else if (dialogue !== undefined && !line.startsWith("/")) {
        const turn = answerContributeDialogue(dialogue, line, clock.now());
        if (turn.kind === "ask") dialogues.set(user.userId, turn.dialogue);
        else dialogues.delete(user.userId);
        const contribute = findCommand(options.catalog, "contribute");
        view =
          turn.kind !== "done"
            ? turn.view
            : contribute === undefined
              ? null
              : await runCommand(contribute, invocation, { ...turn.input });
      } else {
        view = await runTextCommand(options.catalog, invocation, line);
      }
      if (view !== null) print(renderPlainText(await saveAttachment(view, options.exportDir)));
    }
    await options.background.settle();
    prompt();
  }
}

function onError(options: ConsoleOptions): { onError?: (error: unknown, command: string) => void } {
  return options.onError === undefined ? {} : { onError: options.onError };
}

/** Writes a view's file to the export folder and names the path in the view instead. */
async function saveAttachment(view: View, exportDir: string): Promise<View> {
  if (view.attachment === undefined) return view;
  await mkdir(exportDir, { recursive: true });
  const file = path.join(exportDir, path.basename(view.attachment.filename));
  await writeFile(file, view.attachment.content);
  const { attachment: _written, ...rest } = view;
  return { ...rest, lines: [...view.lines, `Saved to ${path.relative(process.cwd(), file) || file}`] };
}
