import { startEmbeddedPostgres } from "../src/db/embedded.ts";
const e = await startEmbeddedPostgres({ dataDir: "/tmp/embt/pgdata", port: 55433 }); console.log("up"); process.exitCode = 3;
