import { diffMigrationsToSchema } from "../src/db/_se_nochar.ts";
try { const s = await diffMigrationsToSchema("postgresql://postgres@127.0.0.1:5432/postgres"); console.log("OK len", s.length); } catch (e) { console.log("FAIL", String(e).slice(0, 300)); }
