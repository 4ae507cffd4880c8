// Idempotency-Key for API calls that create something: the first call with a
// key runs and its answer is kept; a retry with the same key and request gets
// that answer again and runs nothing. Two concurrent calls with one key: the
// second waits for the first's answer.
import type { Prisma } from "../generated/prisma/client.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import type { Deps } from "./deps.ts";

export interface KeptAnswer {
  readonly status: number;
  readonly body: Prisma.InputJsonValue;
}

/** How long the second of two concurrent calls waits for the first before it is told to retry. */
const WAIT_FOR_FIRST_MS = 10_000;
const POLL_MS = 25;
/** Kept answers older than this are forgotten: a key is for retries, not for ever. */
const KEEP_MS = 86_400_000;

export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export type IdempotencyRefusal = "BAD_REQUEST" | "IDEMPOTENCY_KEY_REUSED" | "IDEMPOTENCY_IN_PROGRESS";

/**
 * Runs `work` once per (token, key). A 2xx answer is kept and replayed
 * (`replayed: true`); any other answer, or an exception, releases the key so
 * the call may be retried. The same key with another request (fingerprint) is
 * refused.
 */
export async function onceForKey(
  deps: Deps,
  call: { readonly tokenId: number; readonly key: string; readonly fingerprint: string },
  work: () => Promise<KeptAnswer>,
): Promise<Result<KeptAnswer & { readonly replayed: boolean }, IdempotencyRefusal>> {
  if (!IDEMPOTENCY_KEY.test(call.key))
    return refuse("BAD_REQUEST", { problem: "Idempotency-Key must be 1-255 visible ASCII characters" });
  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  while (Date.now() < deadline) {
    if (await claim(deps, call)) return ok({ ...(await runClaimed(deps, call, work)), replayed: false });
    const kept = await deps.db.idempotentCall.findUnique({
      where: { tokenId_key: { tokenId: call.tokenId, key: call.key } },
    });
    if (kept === null) continue;
    if (kept.fingerprint !== call.fingerprint) return refuse("IDEMPOTENCY_KEY_REUSED");
    if (kept.status !== null)
      return ok({ status: kept.status, body: kept.response as Prisma.InputJsonValue, replayed: true });
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return refuse("IDEMPOTENCY_IN_PROGRESS");
}

/** Inserts the running marker; false when the key is already taken. Old answers of the token are dropped first. */
async function claim(
  deps: Deps,
  call: { readonly tokenId: number; readonly key: string; readonly fingerprint: string },
): Promise<boolean> {
  const now = deps.clock.now();
  await deps.db.idempotentCall.deleteMany({
    where: { tokenId: call.tokenId, createdAt: { lt: new Date(now.getTime() - KEEP_MS) } },
  });
  const inserted = await deps.db.$executeRaw`
    INSERT INTO idempotent_call ("tokenId", key, fingerprint, "createdAt")
    VALUES (${call.tokenId}, ${call.key}, ${call.fingerprint}, ${now})
    ON CONFLICT DO NOTHING`;
  return inserted === 1;
}

async function runClaimed(
  deps: Deps,
  call: { readonly tokenId: number; readonly key: string },
  work: () => Promise<KeptAnswer>,
): Promise<KeptAnswer> {
  const where = { tokenId_key: { tokenId: call.tokenId, key: call.key } };
  let answer: KeptAnswer;
  try {
    answer = await work();
  } catch (error) {
    await deps.db.idempotentCall.delete({ where });
    throw error;
  }
  if (answer.status >= 200 && answer.status < 300)
    await deps.db.idempotentCall.update({ where, data: { status: answer.status, response: answer.body } });
  else await deps.db.idempotentCall.delete({ where });
  return answer;
}
