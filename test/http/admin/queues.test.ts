// The operator's queue dashboard over real HTTP on both queue backends: off
// without ADMIN_TOKEN, refused without it, open to its bearer or to the cookie
// `?token=` sets, and showing Cairn's queues and their jobs on Redis and on
// BullMQ's PostgreSQL backend alike.
import { afterEach, describe, expect, it } from "vitest";
import { adminQueuesPlugin } from "../../../src/http/admin/queues.ts";
import { startHttpServer, type HttpServer } from "../../../src/http/server.ts";
import { closeQueues, openQueues, QUEUE_NAMES, type Queues } from "../../../src/jobs/queues.ts";
import { useTestDatabase } from "../../support/db.ts";
import { BACKENDS, testBackend } from "../../jobs/support.ts";

const database = useTestDatabase();
const TOKEN = "operator-secret-token-1234";
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function dashboard(kind: (typeof BACKENDS)[number], adminToken: string | undefined) {
  const { backend, cleanup } = await testBackend(kind, database.url);
  const queues: Queues = openQueues(backend);
  const server: HttpServer = await startHttpServer({
    port: 0,
    host: "127.0.0.1",
    db: database.db,
    plugins: [adminQueuesPlugin({ adminToken, queues, secure: false })],
  });
  cleanups.push(async () => {
    await server.close();
    await closeQueues(queues);
    await backend.close();
    await cleanup();
  });
  return { server, queues };
}

const get = (server: HttpServer, path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers, redirect: "manual" });

describe("/admin/queues", () => {
  it("is not there (404) without ADMIN_TOKEN", async () => {
    const { server } = await dashboard("postgres", undefined);
    expect((await get(server, "/admin/queues")).status).toBe(404);
    expect((await get(server, "/admin/queues/api/queues")).status).toBe(404);
  });

  for (const kind of BACKENDS) {
    it(`on ${kind}: refuses a missing or wrong token, opens to the bearer and shows the queues and a job`, async () => {
      const { server, queues } = await dashboard(kind, TOKEN);
      await queues.exports.add("export", { communityId: 1 }, { jobId: `dash-${kind}`, delay: 60_000 });
      for (const headers of [{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: TOKEN }]) {
        const refused = await get(server, "/admin/queues/api/queues", headers);
        expect(refused.status).toBe(401);
        expect(await refused.text()).not.toContain(TOKEN);
      }
      expect((await get(server, "/admin/queues?token=wrong")).status).toBe(401);

      const bearer = { authorization: `Bearer ${TOKEN}` };
      const page = await get(server, "/admin/queues", bearer);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<title>Cairn queues</title>");
      const api = await get(server, "/admin/queues/api/queues", bearer);
      expect(api.status).toBe(200);
      const body = (await api.json()) as { queues: Array<{ name: string; counts: Record<string, number> }> };
      expect(body.queues.map((q) => q.name).sort()).toEqual(Object.values(QUEUE_NAMES).sort());
      expect(body.queues.find((q) => q.name === QUEUE_NAMES.exports)?.counts["delayed"]).toBe(1);
      const job = await get(server, `/admin/queues/api/queues/${QUEUE_NAMES.exports}/dash-${kind}`, bearer);
      expect(job.status).toBe(200);
      expect(await job.text()).toContain(`dash-${kind}`);
    });
  }

  it("?token= sets an HttpOnly cookie holding no token and drops the token from the address", async () => {
    const { server } = await dashboard("redis", TOKEN);
    const signIn = await get(server, `/admin/queues?token=${TOKEN}`);
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get("location")).toBe("/admin/queues");
    const cookie = signIn.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      /^cairn_admin=[0-9a-f]{64}; Path=\/admin\/queues; Max-Age=\d+; HttpOnly; SameSite=Strict$/,
    );
    expect(cookie).not.toContain(TOKEN);
    const pair = cookie.split(";")[0] ?? "";
    expect((await get(server, "/admin/queues/api/queues", { cookie: pair })).status).toBe(200);
    expect((await get(server, "/admin/queues/api/queues", { cookie: `${pair}0` })).status).toBe(401);
  });
});
