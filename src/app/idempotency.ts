// Idempotency-Key for API calls that create something: the first call with a
// key runs and its answer is kept; a retry with the same key and request gets
// that answer again and runs nothing. Two concurrent calls with one key: the
// second waits for the first's answer. A claim whose call died (process
// killed, connection cut) before it kept or released its answer is a lease:
// once CLAIM_LEASE_MS has passed, a retry with the same request takes it over.
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
/**
 * How long a running claim holds its key. Longer than any call may run (the
 * database statement timeout and the request timeout are far shorter), so a
 * live call is never taken over; after it, the claim is taken to be dead.
 */
export const CLAIM_LEASE_MS = 120_000;

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
    const claimedAt = await claim(deps, call);
    if (claimedAt !== null)
      return ok({ ...(await runClaimed(deps, { ...call, claimedAt }, work)), replayed: false });
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

/**
 * Inserts the running marker, or takes over a running one of the same request
 * whose lease has run out; the claim's time, or null when the key is held.
 * Old answers of the token are dropped first.
 */
async function claim(
  deps: Deps,
  call: { readonly tokenId: number; readonly key: string; readonly fingerprint: string },
): Promise<Date | null> {
  const now = deps.clock.now();
  await deps.db.idempotentCall.deleteMany({
    where: { tokenId: call.tokenId, createdAt: { lt: new Date(now.getTime() - KEEP_MS) } },
  });
  const leaseEnded = new Date(now.getTime() - CLAIM_LEASE_MS);
  const claimed = await deps.db.$executeRaw`
    INSERT INTO idempotent_call AS held ("tokenId", key, fingerprint, "createdAt")
    VALUES (${call.tokenId}, ${call.key}, ${call.fingerprint}, ${now})
    ON CONFLICT ("tokenId", key) DO UPDATE SET "createdAt" = EXCLUDED."createdAt"
    WHERE held.status IS NULL AND held.fingerprint = EXCLUDED.fingerprint AND held."createdAt" < ${leaseEnded}`;
  return claimed === 1 ? now : null;
}

/** Runs the work under the claim; keeping or releasing touches only this claim, not one that took it over. */
async function runClaimed(
  deps: Deps,
  call: { readonly tokenId: number; readonly key: string; readonly claimedAt: Date },
  work: () => Promise<KeptAnswer>,
): Promise<KeptAnswer> {
  const where = { tokenId: call.tokenId, key: call.key, createdAt: call.claimedAt, status: null };
  let answer: KeptAnswer;
  try {
    answer = await work();
  } catch (error) {
    await deps.db.idempotentCall.deleteMany({ where });
    throw error;
  }
  if (answer.status >= 200 && answer.status < 300)
    await deps.db.idempotentCall.updateMany({
      where,
      data: { status: answer.status, response: answer.body },
    });
  else await deps.db.idempotentCall.deleteMany({ where });
  return answer;
}
