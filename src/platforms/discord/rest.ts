import { PlatformError, type PermanentReason, type PlatformFailure } from "../../ports/chatPlatform.ts";

/**
 * A small Discord REST client for the bot's own messages (the ChatPlatform
 * port) and command registration. It makes exactly one HTTP request per call
 * and never retries or sleeps: pacing, 429 handling and retries belong to the
 * delivery jobs, which need Discord's retry_after to the millisecond.
 * (discord.js' own REST client queues, sleeps through 429s and retries 5xx.)
 */
export interface DiscordRestOptions {
  readonly token: string;
  /** REST base without the version, like discord.js' `rest.api` (tests point it at the fake Discord). */
  readonly api?: string;
  readonly timeoutMs?: number;
}

export const DISCORD_API = "https://discord.com/api";
const API_VERSION = "10";

/** A file sent with a message (exports, leaderboard pictures), as the bytes to upload. */
export interface FileUpload {
  readonly name: string;
  readonly contentType: string;
  readonly content: Uint8Array;
}

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/** The JSON error body Discord answers with. */
interface DiscordErrorBody {
  readonly code?: number;
  readonly message?: string;
  readonly retry_after?: number;
  readonly global?: boolean;
}

export class DiscordRest {
  private readonly base: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;

  constructor(options: DiscordRestOptions) {
    this.base = `${(options.api ?? DISCORD_API).replace(/\/$/, "")}/v${API_VERSION}`;
    // Kept in a private field only; never part of an error message or a log line.
    this.authorization = `Bot ${options.token}`;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** One request; a failure is a PlatformError that names the route, never the token or the body. */
  async request<T>(
    method: HttpMethod,
    route: string,
    body?: unknown,
    files?: readonly FileUpload[],
  ): Promise<T> {
    const label = `${method} ${routeLabel(route)}`;
    let response: Response;
    try {
      response = await fetch(`${this.base}${route}`, {
        method,
        headers: {
          Authorization: this.authorization,
          "User-Agent": "DiscordBot (https://github.com/cairn, 0.1.0)",
          ...(body !== undefined && files === undefined ? { "Content-Type": "application/json" } : {}),
        },
        ...(body === undefined ? {} : { body: encodeBody(body, files) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error && error.name === "TimeoutError" ? "timeout" : "network error";
      throw new PlatformError("DISCORD", { kind: "transient", reason }, `discord: ${label}: ${reason}`);
    }
    if (response.ok) {
      if (response.status === 204) return undefined as T;
      const text = await response.text();
      return (text === "" ? undefined : JSON.parse(text)) as T;
    }
    const errorBody = await readErrorBody(response);
    const failure = discordFailure(response.status, errorBody);
    const code = errorBody.code === undefined ? "" : ` (code ${errorBody.code})`;
    throw new PlatformError(
      "DISCORD",
      failure,
      `discord: ${label} answered ${response.status}${code}: ${describeShort(failure)}`,
    );
  }
}

function encodeBody(body: unknown, files: readonly FileUpload[] | undefined): string | FormData {
  if (files === undefined) return JSON.stringify(body);
  const form = new FormData();
  form.append("payload_json", JSON.stringify(body));
  files.forEach((file, index) =>
    form.append(`files[${index}]`, new Blob([file.content], { type: file.contentType }), file.name),
  );
  return form;
}

async function readErrorBody(response: Response): Promise<DiscordErrorBody> {
  try {
    const parsed: unknown = JSON.parse(await response.text());
    return typeof parsed === "object" && parsed !== null ? (parsed as DiscordErrorBody) : {};
  } catch {
    return {};
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
 * What a Discord error means for the delivery jobs. A 429 carries the body's
 * retry_after (seconds, with decimals) exactly; `global: true` holds back the
 * whole bot, anything else only that channel.
 */
export function discordFailure(status: number, body: DiscordErrorBody): PlatformFailure {
  if (status === 429) {
    const retryAfterMs = Math.max(0, Math.ceil((body.retry_after ?? 1) * 1000));
    return { kind: "rate_limited", retryAfterMs, scope: body.global === true ? "global" : "chat" };
  }
  const known = body.code === undefined ? undefined : PERMANENT_CODES[body.code];
  if (known !== undefined) return { kind: "permanent", reason: known };
  if (status >= 500) return { kind: "transient", reason: `server error ${status}` };
  if (status === 401 || status === 403) return { kind: "permanent", reason: "forbidden" };
  if (status === 404) return { kind: "permanent", reason: "chat_gone" };
  return { kind: "permanent", reason: "bad_request" };
}

function describeShort(failure: PlatformFailure): string {
  switch (failure.kind) {
    case "rate_limited":
      return `rate limited (${failure.scope}) for ${failure.retryAfterMs} ms`;
    case "permanent":
      return failure.reason;
    case "transient":
      return failure.reason;
  }
}
