import { openDb } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { catalog } from "../src/commands/catalog.ts";
import { runConsole } from "../src/platforms/console/console.ts";
const url = "postgresql://postgres@127.0.0.1:5432/cairn_dev";
await migrate(url);
const db = openDb(url);
await runConsole({ deps: { db }, catalog, input: process.stdin, output: process.stdout, interactive: false, communityName: "Demo", exportDir: "/tmp/cx", onError: (e, c) => console.error(c, e) });
await db.$disconnect();
