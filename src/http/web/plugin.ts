// The community's public web pages on the HTTP server: board, profiles,
// contributions, seasons, the ledger explorer and downloads, each a thin
// adapter over the same use cases as the chat and the API. A community that
// has not turned them on (`/config set publicPages on`) has none: 404.
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { LRUCache } from "lru-cache";
import { MAX_PAGE_SIZE, listContributions, showContribution } from "../../app/browse.ts";
import { listCategories, listSeasons } from "../../app/community.ts";
import type { Deps } from "../../app/deps.ts";
import { publicAttribution } from "../../app/exports.ts";
import { MAX_LEADERBOARD_SIZE, showLeaderboard, type LeaderboardView } from "../../app/leaderboard.ts";
import { exportLedgerLines, LEDGER_PAGE_SIZE, readHead, readLedgerPage } from "../../app/ledgerAudit.ts";
import { showMemberProfile, type ProfileView } from "../../app/profile.ts";
import {
  boardPageState,
  contributionNumbers,
  publicCommunity,
  publicMemberNames,
  publicReader,
  type PublicCommunity,
} from "../../app/publicPages.ts";
import { parseWindow } from "../../core/periods.ts";
import type { Refusal } from "../../core/result.ts";
import type { RefusalCode } from "../../core/refusals.ts";
import type { Log } from "../../logger.ts";
import { renderBoardOpenGraph } from "../../views/boardImage.ts";
import { renderProfileCard } from "../../views/profileCard.ts";
import { refusalText } from "../../views/refusals.ts";
import {
  BOARD_PAGE_CACHE,
  boardPageCache,
  type BoardPageCache,
  type BoardPageCacheLimits,
} from "./boardPages.ts";
import { boardSearch, queryValue, readBoardQuery, type BoardQuery, type RawQuery } from "./boardQuery.ts";
import { ASSET_CACHE, IMAGE_CACHE, PAGE_CACHE, etagOf, isFresh, sendCached } from "./cache.ts";
import { notice, page, type PageFrame } from "./layout.ts";
import { LEDGER_CHECK_PATH, LEDGER_CHECK_SCRIPT } from "./ledgerCheck.ts";
import { boardBody, type BoardPageInput } from "./pages/board.ts";
import { contributionBody } from "./pages/contribution.ts";
import {
  LISTED_STATUSES,
  contributionsBody,
  toStatus,
  type ContributionsQuery,
  type ListedStatus,
} from "./pages/contributions.ts";
import { ledgerBody } from "./pages/ledger.ts";
import { downloadsBody, seasonsBody } from "./pages/lists.ts";
import { profileBody } from "./pages/profile.ts";

export interface WebOptions {
  readonly deps: Deps;
  readonly log: Log;
  /** Where the pages are reached from outside (links in Open Graph tags); default the request's own host. */
  readonly publicUrl?: string;
  /** How many board pages are kept and how long their clock-driven figures may lag (default BOARD_PAGE_CACHE). */
  readonly boardPages?: BoardPageCacheLimits;
}

const HTML = "text/html; charset=utf-8";
const OFF_LINE =
  "This community has no public pages: it is unknown, or its moderators have not turned them on (/config set publicPages on).";
/** No script but our own file, no frames, no plugins; user-written text cannot run anything. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
} as const;

type Params = { readonly id: string };
type Request = FastifyRequest<{ Params: Params & Record<string, string>; Querystring: RawQuery }>;

/** Pictures drawn lately, by the tag of what they show: drawing is far slower than reading. */
const pictures = new LRUCache<string, Buffer>({ max: 128 });

/** The public pages as a plugin for startHttpServer. */
export function webPlugin(options: WebOptions): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    // Made per server: two servers in one process keep their own pages.
    const pages = boardPageCache(options.boardPages ?? BOARD_PAGE_CACHE);
    await app.register(async (web) => {
      web.addHook("onSend", async (_request, reply) => {
        reply.headers(SECURITY_HEADERS);
      });
      web.setErrorHandler((error, request, reply) => {
        options.log.error({ err: error, path: request.url }, "web page failed");
        return reply
          .code(500)
          .header("content-type", HTML)
          .send(notice("Something went wrong", "Try again in a moment."));
      });
      web.get(LEDGER_CHECK_PATH, (request, reply) =>
        sendCached(request, reply, LEDGER_CHECK_SCRIPT, "text/javascript; charset=utf-8", ASSET_CACHE),
      );
      const route = (
        path: string,
        handler: (c: PublicCommunity, request: Request, reply: FastifyReply) => Promise<unknown>,
      ) =>
        web.get(path, async (request: Request, reply) => {
          const community = /^\d{1,9}$/.test(request.params.id)
            ? await publicCommunity(options.deps, Number(request.params.id))
            : null;
          if (community === null) return refuseWith(reply, 404, "No public pages", OFF_LINE);
          return handler(community, request, reply);
        });
      route("/c/:id", (c, request, reply) => boardRoute(options, pages, c, request, reply));
      route("/c/:id/board.png", (c, request, reply) => boardImageRoute(options, c, request, reply));
      route("/c/:id/members/:memberId", (c, request, reply) => profileRoute(options, c, request, reply));
      route("/c/:id/members/:memberId/card.png", (c, request, reply) =>
        profileCardRoute(options, c, request, reply),
      );
      route("/c/:id/contributions", (c, request, reply) => contributionsRoute(options, c, request, reply));
      route("/c/:id/contributions/:number", (c, request, reply) =>
        contributionRoute(options, c, request, reply),
      );
      route("/c/:id/seasons", (c, request, reply) => seasonsRoute(options, c, request, reply));
      route("/c/:id/seasons/:slug", (c, request, reply) => seasonRoute(options, pages, c, request, reply));
      route("/c/:id/ledger", (c, request, reply) => ledgerRoute(options, c, request, reply));
      route("/c/:id/ledger.jsonl", (c, request, reply) => ledgerDownload(options, c, request, reply));
      route("/c/:id/attribution.csv", (c, request, reply) => attributionDownload(options, c, request, reply));
      route("/c/:id/downloads", async (c, request, reply) =>
        sendPage(options, request, reply, {
          title: "Downloads",
          community: c,
          description: `The ledger and the attribution of ${c.name}.`,
          section: "downloads",
          body: downloadsBody(c.id),
        }),
      );
    });
  };
}

function refuseWith(reply: FastifyReply, code: number, title: string, line: string): FastifyReply {
  return reply
    .code(code)
    .header("content-type", HTML)
    .header("cache-control", "no-store")
    .send(notice(title, line));
}

function refusal<C extends RefusalCode>(reply: FastifyReply, code: number, error: Refusal<C>): FastifyReply {
  return refuseWith(reply, code, "Not here", refusalText(error));
}

function baseUrl(options: WebOptions, request: FastifyRequest): string {
  return options.publicUrl ?? `${request.protocol}://${request.host}`;
}

type Frame = Omit<PageFrame, "url" | "image"> & { readonly image?: string };

/** The whole document of the page at the request's address. */
function pageText(options: WebOptions, request: FastifyRequest, frame: Frame): string {
  const base = baseUrl(options, request);
  return page({
    ...frame,
    url: `${base}${request.url}`,
    ...(frame.image === undefined ? {} : { image: `${base}${frame.image}` }),
  });
}

function sendPage(
  options: WebOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  frame: Frame,
): FastifyReply {
  return sendCached(request, reply, pageText(options, request, frame), HTML, PAGE_CACHE);
}

function numberParam(text: string | undefined): number | null {
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : null;
}

async function readBoard(
  options: WebOptions,
  c: PublicCommunity,
  query: BoardQuery,
): ReturnType<typeof showLeaderboard> {
  return showLeaderboard(options.deps, {
    actor: publicReader(c.id),
    window: query.window,
    score: query.score,
    members: query.members,
    limit: MAX_LEADERBOARD_SIZE,
    ...(query.category === null ? {} : { categorySlug: query.category }),
  });
}

/**
 * A board page: the one kept for this address when it is still current (its
 * state is read before any drawing, so a write during one leaves the kept
 * page older than its state, never newer), else drawn and kept.
 */
async function boardPage(
  options: WebOptions,
  pages: BoardPageCache,
  c: PublicCommunity,
  request: Request,
  reply: FastifyReply,
  query: BoardQuery,
  season: string | null,
): Promise<FastifyReply> {
  const key = `${baseUrl(options, request)}${request.url}`;
  const now = options.deps.clock.now();
  const state = await boardPageState(options.deps, c.id, pages.shownIds(key));
  const kept = pages.current(key, state, now);
  if (kept !== undefined) return sendCached(request, reply, kept.body, HTML, PAGE_CACHE, kept.etag);
  const reader = publicReader(c.id);
  const [board, categories, seasons, recent] = await Promise.all([
    readBoard(options, c, query),
    listCategories(options.deps, c.id),
    listSeasons(options.deps, c.id),
    season === null
      ? listContributions(options.deps, {
          actor: reader,
          page: 1,
          cursor: 0,
          limit: 10,
          hideHidden: true,
          counted: false,
        })
      : null,
  ]);
  if (!board.ok) return refusal(reply, 404, board.error);
  const path = season === null ? `/c/${c.id}` : `/c/${c.id}/seasons/${encodeURIComponent(season)}`;
  const input: BoardPageInput = {
    communityId: c.id,
    board: board.value,
    query,
    categories,
    seasons,
    recent: recent !== null && recent.ok ? recent.value : null,
    path,
    fixedWindow: season !== null,
  };
  const heading = season === null ? `${c.name}: leaderboard` : `${c.name}: season ${season}`;
  const body = pageText(options, request, {
    title: season === null ? "Leaderboard" : `Season ${season}`,
    community: c,
    description: describeBoard(board.value),
    section: season === null ? "board" : "seasons",
    image: `/c/${c.id}/board.png${boardSearch(query)}`,
    body: boardBody(input, heading),
  });
  const etag = etagOf(body);
  const shown = board.value.rows.map((r) => ({ id: r.memberId, name: r.name, kind: r.kind ?? "PERSON" }));
  pages.keep(key, state, now, { body, etag, shown });
  return sendCached(request, reply, body, HTML, PAGE_CACHE, etag);
}

function describeBoard(board: LeaderboardView): string {
  const top = board.rows.slice(0, 3).map((r) => `${r.rank}. ${r.name}`);
  return `Leaderboard, ${board.windowLabel}${top.length === 0 ? "" : `: ${top.join(", ")}`}`;
}

async function boardRoute(
  options: WebOptions,
  pages: BoardPageCache,
  c: PublicCommunity,
  request: Request,
  reply: FastifyReply,
) {
  const query = readBoardQuery(request.query);
  if ("bad" in query) return refuseWith(reply, 400, "Not a board", query.bad);
  return boardPage(options, pages, c, request, reply, query, null);
}

async function seasonRoute(
  options: WebOptions,
  pages: BoardPageCache,
  c: PublicCommunity,
  request: Request,
  reply: FastifyReply,
) {
  const name = request.params["slug"] ?? "";
  const query = readBoardQuery({ ...request.query, range: undefined, window: `season:${name}` });
  if ("bad" in query) return refuseWith(reply, 400, "Not a season", query.bad);
  return boardPage(options, pages, c, request, reply, query, name);
}

async function seasonsRoute(options: WebOptions, c: PublicCommunity, request: Request, reply: FastifyReply) {
  const seasons = await listSeasons(options.deps, c.id);
  return sendPage(options, request, reply, {
    title: "Seasons",
    community: c,
    description: `Seasons of ${c.name}.`,
    section: "seasons",
    body: seasonsBody(c.id, seasons),
  });
}

async function sendPicture(
  request: FastifyRequest,
  reply: FastifyReply,
  key: string,
  draw: () => Promise<Buffer>,
): Promise<FastifyReply> {
  const etag = etagOf("picture", key);
  reply.header("etag", etag).header("cache-control", IMAGE_CACHE);
  if (isFresh(request, etag)) return reply.code(304).send();
  const png = pictures.get(etag) ?? (await draw());
  pictures.set(etag, png);
  return reply.header("content-type", "image/png").send(png);
}

async function boardImageRoute(
  options: WebOptions,
  c: PublicCommunity,
  request: Request,
  reply: FastifyReply,
) {
  const query = readBoardQuery(request.query);
  if ("bad" in query) return refuseWith(reply, 400, "Not a board", query.bad);
  const board = await readBoard(options, c, query);
  if (!board.ok) return refusal(reply, 404, board.error);
  return sendPicture(
    request,
    reply,
    JSON.stringify([c.name, board.value]),
    async () => (await renderBoardOpenGraph(board.value, c.name)).png,
  );
}

async function readProfile(options: WebOptions, c: PublicCommunity, request: Request) {
  const memberId = numberParam(request.params["memberId"]);
  if (memberId === null) return null;
  return showMemberProfile(options.deps, publicReader(c.id), memberId);
}

async function profileRoute(options: WebOptions, c: PublicCommunity, request: Request, reply: FastifyReply) {
  const profile = await readProfile(options, c, request);
  if (profile === null) return refuseWith(reply, 404, "Not here", "Member ids are whole numbers.");
  if (!profile.ok) return refusal(reply, 404, profile.error);
  const p: ProfileView = profile.value;
  return sendPage(options, request, reply, {
    title: p.name,
    community: c,
    description: `${p.name} in ${c.name}: ${p.rank === null ? "" : `rank #${p.rank}, `}${p.streak}-week streak.`,
    section: "other",
    image: `/c/${c.id}/members/${p.memberId}/card.png`,
    body: profileBody(c.id, p),
  });
}

async function profileCardRoute(
  options: WebOptions,
  c: PublicCommunity,
  request: Request,
  reply: FastifyReply,
) {
  const profile = await readProfile(options, c, request);
  if (profile === null) return refuseWith(reply, 404, "Not here", "Member ids are whole numbers.");
  if (!profile.ok) return refusal(reply, 404, profile.error);
  const shown = { ...profile.value, identities: [] };
  return sendPicture(
    request,
    reply,
    JSON.stringify(["profile", shown]),
    async () => (await renderProfileCard(shown)).png,
  );
}

/** Contributions one page of the list shows unless `limit` asks for another number (at most the API's). */
const LIST_PAGE_SIZE = 25;

function readContributionsQuery(query: RawQuery): ContributionsQuery | { readonly bad: string } {
  const statusText = queryValue(query, "status")?.toLowerCase();
  if (statusText !== undefined && !(LISTED_STATUSES as readonly string[]).includes(statusText))
    return { bad: `Statuses: ${LISTED_STATUSES.join(", ")}.` };
  const cursorText = queryValue(query, "cursor");
  const cursor = cursorText === undefined ? 0 : numberParam(cursorText);
  if (cursor === null) return { bad: "cursor is a contribution's number: a whole number." };
  const limitText = queryValue(query, "limit");
  const limit = limitText === undefined ? null : numberParam(limitText);
  if (limit !== null ? limit < 1 || limit > MAX_PAGE_SIZE : limitText !== undefined)
    return { bad: `limit is how many contributions a page shows: 1 to ${MAX_PAGE_SIZE}.` };
  return { status: (statusText as ListedStatus | undefined) ?? null, cursor, limit };
}

async function contributionsRoute(
  options: WebOptions,
  c: PublicCommunity,
  request: Request,
  reply: FastifyReply,
) {
  const query = readContributionsQuery(request.query);
  if ("bad" in query) return refuseWith(reply, 400, "Not a list of contributions", query.bad);
  const list = await listContributions(options.deps, {
    actor: publicReader(c.id),
    page: 1,
    cursor: query.cursor,
    limit: query.limit ?? LIST_PAGE_SIZE,
    hideHidden: true,
    ...(query.status === null ? {} : { status: toStatus(query.status) }),
  });
  if (!list.ok) return refusal(reply, 404, list.error);
  return sendPage(options, request, reply, {
    title: query.status === null ? "Contributions" : `Contributions: ${query.status}`,
    community: c,
    description: `Contributions to ${c.name}, newest first.`,
    section: "contributions",
    body: contributionsBody(c.id, query, list.value),
  });
}

async function contributionRoute(
  options: WebOptions,
  c: PublicCommunity,
  request: Request,
  reply: FastifyReply,
) {
  const number = numberParam(request.params["number"]);
  if (number === null)
    return refuseWith(reply, 404, "Not here", "Contribution numbers are whole numbers, like 42.");
  const detail = await showContribution(options.deps, {
    actor: publicReader(c.id),
    number,
    hideHidden: true,
  });
  if (!detail.ok) return refusal(reply, 404, detail.error);
  return sendPage(options, request, reply, {
    title: `#${detail.value.number} ${detail.value.title}`,
    community: c,
    description: `${detail.value.status.toLowerCase()} contribution in ${detail.value.category}.`,
    section: "other",
    body: contributionBody(c.id, detail.value),
  });
}

async function ledgerRoute(options: WebOptions, c: PublicCommunity, request: Request, reply: FastifyReply) {
  const fromText = queryValue(request.query, "from");
  const from = fromText === undefined ? 1 : numberParam(fromText);
  if (from === null || from < 1)
    return refuseWith(
      reply,
      400,
      "Not a ledger page",
      "from is an entry's sequence number: a whole number from 1.",
    );
  const ledger = await readLedgerPage(options.deps.db, c.id, from, LEDGER_PAGE_SIZE);
  const [names, numbers] = await Promise.all([
    publicMemberNames(
      options.deps,
      c.id,
      ledger.entries.map((e) => e.memberId),
    ),
    contributionNumbers(
      options.deps,
      c.id,
      ledger.entries.flatMap((e) => (e.contributionId === null ? [] : [e.contributionId])),
    ),
  ]);
  return sendPage(options, request, reply, {
    title: "Ledger",
    community: c,
    description: `The hash-chained ledger of ${c.name}: ${ledger.head.seq} entries.`,
    section: "ledger",
    scripts: [LEDGER_CHECK_PATH],
    body: ledgerBody({ communityId: c.id, from, size: LEDGER_PAGE_SIZE, page: ledger, names, numbers }),
  });
}

async function ledgerDownload(
  options: WebOptions,
  c: PublicCommunity,
  request: Request,
  reply: FastifyReply,
) {
  const head = await readHead(options.deps.db, c.id);
  const etag = etagOf("ledger", String(c.id), String(head.seq), head.hash);
  reply
    .header("etag", etag)
    .header("cache-control", PAGE_CACHE)
    .header("content-disposition", `attachment; filename="cairn-${c.id}-ledger.jsonl"`);
  if (isFresh(request, etag)) return reply.code(304).send();
  const lines = exportLedgerLines(options.deps.db, c.id, 1);
  async function* withBreaks(): AsyncIterable<string> {
    for await (const line of lines) yield `${line}\n`;
  }
  return reply.header("content-type", "application/x-ndjson").send(Readable.from(withBreaks()));
}

async function attributionDownload(
  options: WebOptions,
  c: PublicCommunity,
  request: Request,
  reply: FastifyReply,
) {
  const window = parseWindow(queryValue(request.query, "window"));
  if (!window.ok) return refusal(reply, 400, window.error);
  const built = await publicAttribution(options.deps, c.id, window.value);
  if (!built.ok) return refusal(reply, 404, built.error);
  reply.header("content-disposition", `attachment; filename="${built.value.filename}"`);
  return sendCached(request, reply, built.value.content, "text/csv; charset=utf-8", PAGE_CACHE);
}
