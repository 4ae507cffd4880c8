// Discord's REST API for the bot's own messages (the ChatPlatform port) and
// command registration: discord.js' own REST client, set to make exactly one
// request per call, with Discord's failures told as the delivery jobs need
// them. Routes are named with discord-api-types' Routes by the callers.
import { DiscordAPIError, HTTPError, RateLimitError, REST, type RouteLike } from "@discordjs/rest";
import {
  describeFailure,
  PlatformError,
  type PermanentReason,
  type PlatformFailure,
} from "../../ports/chatPlatform.ts";

export interface DiscordRestOptions {
  readonly token: string;
  /** REST base without the version, like discord.js' `rest.api` (DISCORD_API_URL; tests point it at the fake Discord). */
  readonly api?: string;
  readonly timeoutMs?: number;
}

/** A file sent with a message (exports, leaderboard pictures), as the bytes to upload. */
export interface FileUpload {
  readonly name: string;
  readonly contentType: string;
  readonly content: Uint8Array;
}

/**
 * One request per call, never retried or slept through: `retries: 0` gives up
 * a 5xx, a timeout or a dropped connection at once, and `rejectOnRateLimit`
 * throws a 429 (or a bucket the client knows is empty, before any request)
 * as a RateLimitError. Pacing, retries and waiting out a 429 belong to the
 * delivery jobs. `offset: 0` keeps Discord's Retry-After as it is.
 */
export class DiscordApi {
  private readonly rest: REST;

  constructor(options: DiscordRestOptions) {
    this.rest = new REST({
      retries: 0,
      rejectOnRateLimit: () => true,
      offset: 0,
      timeout: options.timeoutMs ?? 15_000,
      ...(options.api === undefined ? {} : { api: options.api }),
    }).setToken(options.token);
  }

  get<T>(route: RouteLike): Promise<T> {
    return this.call("GET", route, () => this.rest.get(route));
  }

  post<T>(route: RouteLike, body: unknown, files?: readonly FileUpload[]): Promise<T> {
    const uploads = files?.map((f) => ({ name: f.name, contentType: f.contentType, data: f.content }));
    return this.call("POST", route, () =>
      this.rest.post(route, { body, ...(uploads === undefined ? {} : { files: uploads }) }),
    );
  }

  patch<T>(route: RouteLike, body: unknown): Promise<T> {
    return this.call("PATCH", route, () => this.rest.patch(route, { body }));
  }

  put<T>(route: RouteLike, body: unknown): Promise<T> {
    return this.call("PUT", route, () => this.rest.put(route, { body }));
  }

  async delete(route: RouteLike): Promise<void> {
    await this.call("DELETE", route, () => this.rest.delete(route));
  }

  /** A failure becomes a PlatformError that names the route, never the token or the body. */
  private async call<T>(method: string, route: RouteLike, request: () => Promise<unknown>): Promise<T> {
    try {
      return (await request()) as T;
    } catch (error) {
      const failure = discordFailureOf(error);
      const status = error instanceof DiscordAPIError || error instanceof HTTPError ? ` ${error.status}` : "";
      const code = error instanceof DiscordAPIError ? ` (code ${error.code})` : "";
      throw new PlatformError(
        "DISCORD",
        failure,
        `discord: ${method} ${routeLabel(route)} failed${status}${code}: ${describeFailure(failure)}`,
      );
    }
  }
}

/** Snowflakes and interaction tokens become placeholders, so logs group by route and never hold a token. */
export function routeLabel(route: string): string {
  return route
    .split("?")[0]!
    .split("/")
    .map((part) => (/^\d{5,}$/.test(part) ? ":id" : part.length > 40 ? ":token" : part))
    .join("/");
}

const PERMANENT_CODES: Readonly<Record<number, PermanentReason>> = {
  10003: "chat_gone", // Unknown Channel
  10004: "chat_gone", // Unknown Guild
  10008: "message_deleted", // Unknown Message
  10013: "chat_gone", // Unknown User (a direct message to someone gone)
  50001: "forbidden", // Missing Access
  50007: "forbidden", // Cannot send messages to this user (DMs closed)
  50013: "forbidden", // Missing Permissions
};

/**
 * What a failed request means for the delivery jobs. A rate limit carries
 * its wait in milliseconds (Discord's Retry-After); a global one holds back
 * the whole bot, anything else only that channel. A request that got no
 * answer (timeout, network) is transient.
 */
export function discordFailureOf(error: unknown): PlatformFailure {
  if (error instanceof RateLimitError) {
    const retryAfterMs = Math.max(0, Math.ceil(error.retryAfter));
    return { kind: "rate_limited", retryAfterMs, scope: error.global ? "global" : "chat" };
  }
  if (error instanceof DiscordAPIError) {
    return discordFailure(error.status, typeof error.code === "number" ? error.code : undefined);
  }
  if (error instanceof HTTPError) return discordFailure(error.status, undefined);
  const timedOut = error instanceof Error && error.name === "AbortError";
  return { kind: "transient", reason: timedOut ? "timeout" : "network error" };
}

/** A Discord error status and JSON error code as a permanent or transient failure. */
export function discordFailure(status: number, code: number | undefined): PlatformFailure {
  const known = code === undefined ? undefined : PERMANENT_CODES[code];
  if (known !== undefined) return { kind: "permanent", reason: known };
  if (status >= 500) return { kind: "transient", reason: `server error ${status}` };
  if (status === 401 || status === 403) return { kind: "permanent", reason: "forbidden" };
  if (status === 404) return { kind: "permanent", reason: "chat_gone" };
  return { kind: "permanent", reason: "bad_request" };
}
