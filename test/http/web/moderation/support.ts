// A real HTTP server with the moderator pages on the test database, a
// community with a moderator and contributions, and a small client that keeps
// a cookie and reads the forms' CSRF token like a browser would.
import { randomUUID } from "node:crypto";
import { logContribution } from "../../../../src/app/contributions.ts";
import type { Actor } from "../../../../src/app/deps.ts";
import { requestSignInLink } from "../../../../src/app/webSessions.ts";
import { startHttpServer, type HttpServer } from "../../../../src/http/server.ts";
import { moderationPlugin } from "../../../../src/http/web/moderation/plugin.ts";
import {
  FakeClock,
  newCommunity,
  valueOf,
  type DatabaseDeps,
  type TestCommunity,
} from "../../../support/communities.ts";
import { freePort } from "../../../support/ports.ts";

export { FakeClock, valueOf };

export interface ModerationServer {
  readonly server: HttpServer;
  readonly url: string;
}

/** The moderator pages alone, on a port chosen first so PUBLIC_URL (the forms' origin) is known. */
export async function startModerationPages(
  database: DatabaseDeps,
  clock: FakeClock,
): Promise<ModerationServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startHttpServer({
    port,
    host: "127.0.0.1",
    db: database.db,
    plugins: [moderationPlugin({ deps: { ...database, clock, publicUrl: url }, publicUrl: url })],
  });
  return { server, url };
}

export interface ReviewCommunity extends TestCommunity {
  /** The moderator (member flag set, as `/member` would). */
  readonly mod: Actor;
  readonly alice: Actor;
  /** Logs a contribution by alice; its number. */
  contribution(title?: string): Promise<number>;
  /** A fresh one-time sign-in link's code for the moderator. */
  signInCode(actor?: Actor): Promise<string>;
}

export async function reviewCommunity(database: DatabaseDeps, clock: FakeClock): Promise<ReviewCommunity> {
  const community = await newCommunity(database, { clock, config: { maxSubmissionsPerDay: 100 } });
  const mod = await community.member("mod");
  await database.db.member.update({ where: { id: mod.memberId }, data: { isModerator: true } });
  const moderator: Actor = { ...mod, isModerator: true };
  const alice = await community.member("alice");
  return {
    ...community,
    mod: moderator,
    alice,
    async contribution(title = `Work ${randomUUID().slice(0, 8)}`) {
      const logged = await logContribution(community.deps, alice, {
        categorySlug: "code",
        title,
        links: [`https://example.org/${randomUUID()}`],
      });
      return valueOf(logged).number;
    },
    async signInCode(actor = moderator) {
      return valueOf(await requestSignInLink(community.deps, actor, { platformModerator: false, roles: [] }))
        .code;
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** A browser-like client: it keeps the session cookie and sends our own Origin on posts. */
export class PageClient {
  cookie: string | undefined;
  constructor(readonly base: string) {}

  async get(path: string): Promise<Answer> {
    return this.send("GET", path);
  }

  async post(
    path: string,
    fields: Record<string, string>,
    origin: string | null = this.base,
  ): Promise<Answer> {
    return this.send("POST", path, new URLSearchParams(fields).toString(), origin);
  }

  /** Follows a sign-in link: its confirm page, then the post that opens the session. */
  async signIn(code: string): Promise<Answer> {
    await this.get(`/login/${code}`);
    return this.post(`/login/${code}`, {});
  }

  private async send(method: string, path: string, body?: string, origin?: string | null): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (this.cookie !== undefined) headers["cookie"] = this.cookie;
    if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
    if (origin !== undefined && origin !== null) headers["origin"] = origin;
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      redirect: "manual",
      ...(body === undefined ? {} : { body }),
    });
    const set = response.headers.get("set-cookie");
    if (set !== null) {
      const pair = set.split(";")[0] ?? "";
      this.cookie = pair.endsWith("=") ? undefined : pair;
    }
    return { status: response.status, headers: response.headers, text: await response.text() };
  }
}

/** The CSRF token the page's forms carry. */
export function csrfOf(pageHtml: string): string {
  const found = /name="csrf" value="([^"]+)"/.exec(pageHtml);
  if (found?.[1] === undefined) throw new Error("no CSRF token on the page");
  return found[1];
}

/** The one refusal or notice line of a page, as text. */
export function messageOf(pageHtml: string): string {
  const found = /<p class="(?:refusal|notice)" role="(?:alert|status)">([^<]*)<\/p>/.exec(pageHtml);
  return (found?.[1] ?? "")
    .trim()
    .replaceAll("&#39;", "'")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&");
}
