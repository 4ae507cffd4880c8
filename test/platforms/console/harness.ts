// The console adapter under the platform contract: the real console chat with
// its in-process background jobs, fed lines and read back from its output the
// way a person at the terminal would read it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { catalog } from "../../../src/commands/catalog.ts";
import { runConsoleWithJobs } from "../../../src/console.ts";
import { createTestDatabase, type TestDatabase } from "../../support/db.ts";
import type { Card, Person, PlatformHarness, Reply } from "../harness.ts";

/** Something the bot posted through the console platform: `[#verification] (card)` and its indented lines. */
interface Delivery {
  readonly label: string;
  readonly card: boolean;
  readonly lines: readonly string[];
}

const DELIVERY_HEADER = /^\[(#[\w-]+|to [^\]]+)\]( \(card\))?$/;

export class ConsoleHarness implements PlatformHarness {
  private readonly input = new PassThrough();
  private readonly output = new PassThrough();
  private buffer = "";
  private waiting: { prompt: string; resolve: (chunk: string) => void } | null = null;
  private readonly deliveries: Delivery[] = [];
  private current = "alice";
  private database: TestDatabase | undefined;
  /** The console's database, for tests that check what a command changed. */
  get ledgerDb(): TestDatabase["db"] {
    if (this.database === undefined) throw new Error("the console harness is not started");
    return this.database.db;
  }
  private exportDir = "";
  private running: Promise<void> | undefined;

  async start(): Promise<void> {
    this.database = await createTestDatabase();
    this.exportDir = await mkdtemp(path.join(tmpdir(), "cairn-contract-"));
    this.output.setEncoding("utf8");
    this.output.on("data", (chunk: string) => this.receive(chunk));
    const greeted = this.until("alice> ");
    this.running = runConsoleWithJobs({
      deps: { db: this.database.db, store: this.database.store },
      queue: { databaseUrl: this.database.url, redisUrl: undefined },
      catalog,
      input: this.input,
      output: this.output,
      interactive: true,
      communityName: "Contract",
      exportDir: this.exportDir,
    });
    await greeted;
  }

  async stop(): Promise<void> {
    this.input.end("/quit\n");
    await this.running;
    await this.database?.drop();
    await rm(this.exportDir, { recursive: true, force: true });
  }

  async command(person: Person, text: string): Promise<Reply> {
    await this.actAs(person);
    const chunk = await this.send(text, person.name);
    // A terminal has one reader: everything the console answers is seen by the one typing.
    return { text: this.record(chunk).join("\n"), private: true };
  }

  press(person: Person, number: number, button: "approve" | "reject"): Promise<Reply> {
    return this.command(person, `/vote #${number} ${button}`);
  }

  async card(number: number): Promise<Card> {
    const card = this.deliveries.findLast((d) => d.card && d.lines[0]?.startsWith(`#${number} `) === true);
    if (card === undefined) throw new Error(`no card for #${number} was printed`);
    const buttons = card.lines.flatMap((line) => /^\s*\[([^\]]+)\] \//.exec(line)?.slice(1) ?? []);
    return { text: card.lines.join("\n"), buttons };
  }

  async posts(): Promise<readonly string[]> {
    return this.deliveries.filter((d) => !d.card && d.label.startsWith("#")).map((d) => d.lines.join("\n"));
  }

  private async actAs(person: Person): Promise<void> {
    if (this.current === person.name) return;
    await this.send(`/as ${person.name}${person.moderator === true ? " --mod" : ""}`, person.name);
    this.current = person.name;
  }

  /** Types a line and returns what the console printed before its next prompt. */
  private send(line: string, nextPrompt: string): Promise<string> {
    const answered = this.until(`${nextPrompt}> `);
    this.input.write(`${line}\n`);
    return answered;
  }

  private until(prompt: string): Promise<string> {
    return new Promise((resolve) => {
      this.waiting = { prompt, resolve };
      this.receive("");
    });
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    const waiting = this.waiting;
    if (waiting === null || !this.buffer.endsWith(waiting.prompt)) return;
    const text = this.buffer.slice(0, -waiting.prompt.length);
    this.buffer = "";
    this.waiting = null;
    waiting.resolve(text);
  }

  /** Splits printed output into the reply (first) and the deliveries after it, which it keeps. */
  private record(chunk: string): string[] {
    const reply: string[] = [];
    let delivery: { label: string; card: boolean; lines: string[] } | null = null;
    for (const line of chunk.split("\n")) {
      const header = DELIVERY_HEADER.exec(line);
      if (header !== null) {
        delivery = { label: header[1] ?? "", card: header[2] !== undefined, lines: [] };
        this.deliveries.push(delivery);
      } else if (delivery !== null) delivery.lines.push(line.replace(/^ {2}/, ""));
      else if (line !== "") reply.push(line);
    }
    return reply;
  }
}
