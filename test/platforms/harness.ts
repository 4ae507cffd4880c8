// What the platform contract suite (contract.ts) needs from an adapter under
// test: people acting in one community chat, and what the bot shows them.
// Each platform implements it over its real adapter (console in-process,
// discord.js against the fake Discord, telegraf against telegram-test-api).

/** Someone in the community's chat. `moderator` makes them a moderator the platform's own way. */
export interface Person {
  /** Unique within the test; harnesses derive the platform's user id from it. */
  readonly id: string;
  readonly name: string;
  readonly moderator?: boolean;
}

/** The answer a person sees to something they did. */
export interface Reply {
  /** Plain text of the answer as the person sees it (markup removed, entities decoded). */
  readonly text: string;
  /** Only that person sees it: Discord ephemeral, Telegram private chat (or the "open the bot" note), console: always true for private views. */
  readonly private: boolean;
}

/** A vote card as it stands in the verification chat, after every edit. */
export interface Card {
  readonly text: string;
  /** Labels of the buttons still on the card; empty once the card is locked. */
  readonly buttons: readonly string[];
}

export interface PlatformHarness {
  /** The bot joins the community chat (creating its community); people are known to it. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Runs a command as `person` in the community chat, written in the console's
   * text syntax (`/contribute docs "Title" https://a.example/x`). The harness
   * sends it the platform's way: Discord as a slash command with typed options
   * (and the modal for /contribute), Telegram and console as text.
   */
  command(person: Person, text: string): Promise<Reply>;
  /** Presses Approve or Reject on the vote card of contribution `number`. */
  press(person: Person, number: number, button: "approve" | "reject"): Promise<Reply>;
  /** Waits until background deliveries are done, then returns the card of contribution `number`. */
  card(number: number): Promise<Card>;
  /** Waits until background deliveries are done, then returns the texts the bot posted publicly in the community chat (not cards, not replies), oldest first. */
  posts(): Promise<readonly string[]>;
}
