// The Discord adapter under the platform contract: people act through an
// unmodified discord.js Client connected to the fake Discord (slash commands
// with typed options, the /contribute modal, button presses), and read back
// what the bot sent there.
import { catalog } from "../../../src/commands/catalog.ts";
import { findCommand, hasSubcommands, positionalArguments } from "../../../src/commands/dispatch.ts";
import type { AnyCommandSpec } from "../../../src/commands/types.ts";
import { parseCommandLine } from "../../../src/core/commandLine.ts";
import { MODAL_COMMANDS, modalOptions, slashOptions } from "../../../src/platforms/discord/registration.ts";
import type { Card, Person, PlatformHarness, Reply } from "../harness.ts";
import type { MessageBody } from "./fakeDiscord.ts";
import { buttonPress, modalSubmit, slashCommand, type OptionValue, type Someone } from "./fixtures.ts";
import { controlsOf, customIdOf, DiscordWorld, TEST_LIMITS, textOf, type Answer } from "./world.ts";

export class DiscordHarness implements PlatformHarness {
  readonly world = new DiscordWorld({ limits: TEST_LIMITS });
  private readonly ids = new Map<string, string>();

  start(): Promise<void> {
    return this.world.start();
  }

  stop(): Promise<void> {
    return this.world.stop();
  }

  /** A stable Discord user id per test person. */
  private someone(person: Person): Someone {
    let id = this.ids.get(person.id);
    if (id === undefined) {
      id = String(200_000_000_000_000_000n + BigInt(this.ids.size + 1));
      this.ids.set(person.id, id);
    }
    return { id, name: person.name, ...(person.moderator === true ? { moderator: true } : {}) };
  }

  async command(person: Person, text: string): Promise<Reply> {
    const line = parseCommandLine(text);
    if (!line.ok) throw new Error(`not a command: ${text}`);
    const { name, args } = line.value;
    const grouped = hasSubcommands(catalog, name);
    const spec = grouped ? findCommand(catalog, name, args[0]) : findCommand(catalog, name);
    if (spec === undefined) throw new Error(`Discord offers no /${name} ${grouped ? (args[0] ?? "") : ""}`);
    const raw = (spec.parseText ?? positionalArguments(spec))(grouped ? args.slice(1) : args) ?? {};
    const someone = this.someone(person);
    const answer = await this.world.send(slashCommand(someone, name, this.slashValues(spec, raw), spec.sub));
    if (!MODAL_COMMANDS.has(spec.name) || answer.type !== 9) return reply(answer);
    const modal = answer.data as { custom_id: string };
    const fields = Object.fromEntries(modalOptions(spec).map((o) => [o.name, textValue(raw[o.name])]));
    return reply(await this.world.send(modalSubmit(someone, modal.custom_id, fields)));
  }

  /** The typed options a person picks in Discord's command box for what the text says. */
  private slashValues(spec: AnyCommandSpec, raw: Record<string, unknown>): Record<string, OptionValue> {
    const values: Record<string, OptionValue> = {};
    for (const option of slashOptions(spec)) {
      const value = raw[option.name];
      if (value === undefined) continue;
      if (option.kind === "contribution") values[option.name] = Number(String(value).replace(/^#/, ""));
      else if (option.kind === "integer" || option.kind === "points") values[option.name] = Number(value);
      else if (option.kind === "flag") values[option.name] = value === true;
      else if (option.kind === "member") {
        const named = String(value).replace(/^@/, "");
        const known = [...this.ids.keys()].find((id) => id.toLowerCase() === named.toLowerCase());
        values[option.name] =
          known === undefined ? named : { user: this.someone({ id: known, name: named }) };
      } else values[option.name] = textValue(value);
    }
    return values;
  }

  async press(person: Person, number: number, button: "approve" | "reject"): Promise<Reply> {
    const card = await this.world.card(number);
    const label = button === "approve" ? "Approve" : "Reject";
    return reply(await this.world.send(buttonPress(this.someone(person), card, customIdOf(card, label))));
  }

  async card(number: number): Promise<Card> {
    const card = await this.world.card(number);
    const body = { embeds: card.embeds, components: card.components } as MessageBody;
    return { text: textOf(body), buttons: controlsOf(body) };
  }

  async posts(): Promise<readonly string[]> {
    await this.world.settle();
    return this.world.fake.calls
      .filter((c) => c.method === "POST" && /^\/channels\/\d+\/messages$/.test(c.path))
      .map((c) => c.body as MessageBody)
      .filter((body) => (body.components ?? []).length === 0)
      .map(textOf);
  }
}

function textValue(value: unknown): string {
  return Array.isArray(value) ? value.join(" ") : value === undefined ? "" : String(value);
}

function reply(answer: Answer): Reply {
  return { text: textOf(answer.message), private: answer.ephemeral };
}
