import { startEmbeddedPostgres } from "../src/db/embedded.ts";
import { migrate } from "../src/db/migrate.ts";
import pg from "pg";
const dir = process.argv[2]!;
let t = Date.now();
const e = await startEmbeddedPostgres({ dataDir: dir, port: 55433, log: () => {} });
console.log("started", Date.now() - t, e.databaseUrl.replace(/:[^:@]*@/, ":***@"));
t = Date.now();
console.log(await migrate(e.databaseUrl), Date.now() - t);
const c = new pg.Client(e.databaseUrl); await c.connect(); console.log((await c.query("select version()")).rows[0]); await c.end();
try { await startEmbeddedPostgres({ dataDir: dir + "x", port: 55433 }); } catch (err) { console.log(String(err)); }
try { await startEmbeddedPostgres({ dataDir: dir, port: 55434 }); } catch (err) { console.log(String(err)); }
t = Date.now(); await e.stop(); console.log("stopped", Date.now() - t);
setTimeout(() => {
  // @ts-ignore
  console.log(process.getActiveResourcesInfo());
}, 100).unref();
