import { routeLabel } from "./api.ts";

/** The parts of a discord.js request error worth a log line. */
export interface DiscordErrorSummary {
  readonly name: string;
  readonly message: string;
  readonly code?: unknown;
  readonly status?: unknown;
  readonly method?: unknown;
  readonly route?: string;
}

/**
 * What a log line may hold of an error met while talking to Discord.
 * discord.js' request errors carry the request's URL (an interaction's token
 * is part of it) and its body (what members typed); neither reaches the log:
 * the route is kept with ids and tokens replaced. Other errors (the database,
 * our own bugs) are returned as they are, stack included.
 */
export function loggableError(error: unknown): unknown {
  if (!isRequestError(error)) return error;
  const { name, code, status, method, url } = error;
  return {
    name: typeof name === "string" ? name : "DiscordAPIError",
    message: firstLine(error),
    code,
    status,
    method,
    ...(typeof url === "string" ? { route: routeOf(url) } : {}),
  } satisfies DiscordErrorSummary;
}

interface RequestErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly status?: unknown;
  readonly method?: unknown;
  readonly url?: unknown;
}

function isRequestError(error: unknown): error is RequestErrorShape {
  return typeof error === "object" && error !== null && ("url" in error || "requestBody" in error);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? "";
}

function routeOf(url: string): string {
  try {
    return routeLabel(new URL(url).pathname);
  } catch {
    return ":unreadable";
  }
}

/**
 * What an operator reads when Discord fails the bot's start (login, the
 * gateway's address): that it was Discord, its status and its words, and never
 * the request's URL or token.
 */
export function startUpFailure(error: unknown): Error {
  const status = typeof error === "object" && error !== null && "status" in error ? error.status : undefined;
  const said = firstLine(error);
  if (typeof status === "number")
    return new Error(
      `Discord answered ${status} ${said} at start-up; check DISCORD_API_URL or try again later`,
    );
  return new Error(`Discord failed at start-up: ${said}`);
}
