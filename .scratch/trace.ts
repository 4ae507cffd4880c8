const orig = globalThis.setTimeout;
// @ts-ignore
globalThis.setTimeout = (fn: any, ms: any, ...a: any[]) => { if (ms > 3000) console.log("TIMER", ms, new Error().stack?.split("\n").slice(2, 6).join(" | ")); return orig(fn, ms, ...a); };
await import("./emb.ts");
