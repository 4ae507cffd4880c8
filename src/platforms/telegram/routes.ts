// Which handler of updates.ts each update Telegram sends reaches, in one
// place, routed by telegraf's own Composer: a group upgraded to a supergroup
// (migrate_to_chat_id / migrate_from_chat_id), the bot's own membership
// (my_chat_member), button presses (callback_query), then texts: commands of
// this bot (a bot_command entity at the start, as every Telegram client
// sends, addressed to no bot or to this one), and other text, which may be a
// question the bot waits for or an answer to a dialogue.
import { Composer, Context, type NarrowedContext } from "telegraf";
import { message } from "telegraf/filters";
import type { Message, Update, User } from "telegraf/types";
import type { TelegramAdapter } from "./adapter.ts";
import {
  answerInDialogue,
  groupOf,
  isGroup,
  onBotMembership,
  onButtonPress,
  onGroupCommand,
  onGroupUpgraded,
  onPossibleQuestion,
  onPrivateCommand,
  onPrivateText,
  onStart,
  originOf,
  rememberSender,
  type Typed,
} from "./updates.ts";
import { hasOpenDialogue } from "./dialogue.ts";
import type { Origin } from "./replies.ts";

/** telegraf's context with the adapter the update is handled with (set by the bot before routing; its log names the update). */
export class CairnContext extends Context {
  declare adapter: TelegramAdapter;
}

type TextContext = NarrowedContext<CairnContext, Update.MessageUpdate<Message.TextMessage>>;
type CommandContext = TextContext & { readonly command: string; readonly payload: string };

/** Any command name Telegram marks (letters, digits, underscores). */
const ANY_COMMAND = /^\w+$/;

/** Every update the bot handles, routed to its handler; the rest pass by unanswered. */
export function telegramRoutes(names: ReadonlyMap<string, string>): Composer<CairnContext> {
  const routes = new Composer<CairnContext>();
  routes.on(message("migrate_to_chat_id"), (ctx) =>
    onGroupUpgraded(ctx.adapter, ctx.chat.id, ctx.message.migrate_to_chat_id),
  );
  routes.on(message("migrate_from_chat_id"), (ctx) =>
    onGroupUpgraded(ctx.adapter, ctx.message.migrate_from_chat_id, ctx.chat.id),
  );
  routes.on("my_chat_member", (ctx) => onBotMembership(ctx.adapter, ctx.myChatMember));
  routes.on("callback_query", (ctx) => onButtonPress(ctx.adapter, ctx.callbackQuery));
  routes.on("message", (ctx, next) => {
    const from = personOf(ctx.message);
    if (from === null) return;
    rememberSender(ctx.adapter, ctx.chat, from);
    return next();
  });
  routes.on(
    message("text"),
    Composer.groupChat(groupTexts(names)),
    Composer.privateChat(privateTexts(names)),
  );
  return routes;
}

/** In a group: this bot's commands, and replies that may be a question it asked for. */
function groupTexts(names: ReadonlyMap<string, string>): Composer<TextContext> {
  const texts = new Composer<TextContext>();
  const run = (ctx: CommandContext) => {
    if (!isGroup(ctx.chat)) return;
    return onGroupCommand(ctx.adapter, groupOf(ctx.chat), originIn(ctx), typedCommand(ctx, names));
  };
  texts.command(catalogCommands(names), run);
  // With privacy mode off the bot sees every command, also other bots' unaddressed ones: only one addressed to it is answered.
  texts.command(ANY_COMMAND, Composer.optional(addressedToThisBot, run));
  texts.drop(startsWithCommand);
  texts.use((ctx) => onPossibleQuestion(ctx.adapter, originIn(ctx), ctx.message.text));
  return texts;
}

/** In private chat: /start (with a group's deep link), /cancel of a dialogue, commands, and other text. */
function privateTexts(names: ReadonlyMap<string, string>): Composer<TextContext> {
  const texts = new Composer<TextContext>();
  texts.command(/^start$/i, (ctx) =>
    onStart(ctx.adapter, originIn(ctx), ctx.payload.trim().split(/\s+/)[0] ?? ""),
  );
  texts.command(
    /^cancel$/i,
    Composer.optional(
      (ctx) => hasOpenDialogue(ctx.adapter, ctx.message.from.id),
      (ctx) => answerInDialogue(ctx.adapter, originIn(ctx), typedCommand(ctx, names)),
    ),
  );
  texts.command(ANY_COMMAND, (ctx) => onPrivateCommand(ctx.adapter, originIn(ctx), typedCommand(ctx, names)));
  // A command addressed to another bot: not for this one, and no answer to a dialogue.
  texts.drop(startsWithCommand);
  texts.use((ctx) => onPrivateText(ctx.adapter, originIn(ctx), typedText(ctx.message)));
  return texts;
}

/** The person who wrote a message; null for a channel or an anonymous administrator writing, or a bot. */
function personOf(message: Message): User | null {
  const from = message.from;
  return from === undefined || from.is_bot ? null : from;
}

function originIn(ctx: TextContext): Origin {
  return originOf(ctx.message, ctx.message.from);
}

/** The catalog's commands by their Telegram names, in any case (`/Vote` is /vote). */
function catalogCommands(names: ReadonlyMap<string, string>): RegExp {
  return new RegExp(`^(?:${[...names.keys()].join("|")})$`, "i");
}

/** Whether the command names this bot after an `@` (telegraf routes only commands for no bot or this one). */
function addressedToThisBot(ctx: TextContext): boolean {
  const [first] = ctx.message.entities ?? [];
  return first !== undefined && ctx.message.text.slice(0, first.length).includes("@");
}

function startsWithCommand(ctx: TextContext): boolean {
  const [first] = ctx.message.entities ?? [];
  return first?.type === "bot_command" && first.offset === 0;
}

function typedText(message: Message.TextMessage): Typed {
  return { text: message.text, entities: message.entities ?? [], bareContribute: false };
}

function typedCommand(ctx: CommandContext, names: ReadonlyMap<string, string>): Typed {
  const bare = names.get(ctx.command.toLowerCase()) === "contribute" && ctx.payload.trim() === "";
  return { ...typedText(ctx.message), bareContribute: bare };
}
