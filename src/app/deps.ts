import type { Db, Tx } from "../db/client.ts";
import type { SqlStore } from "../db/sql.ts";
import type { Caches } from "../ports/caches.ts";
import { OUTBOX_CHANNEL, wakesDispatcher } from "./outboxWake.ts";

/** Where a use case reads the time; tests and benchmarks pass their own. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What every use case is given: the database (Prisma, and the typed store of the hot write paths) and the clock. */
export interface Deps {
  readonly db: Db;
  /** Typed, parameterised SQL for the vote, contribution and decision paths (src/db/paths). */
  readonly store: SqlStore;
  readonly clock: Clock;
  /**
   * Where people reach this deployment's web pages (PUBLIC_URL, or
   * http://127.0.0.1:<HTTP_PORT>), without a trailing slash, for answers that
   * link to them; absent where no HTTP server serves them.
   */
  readonly publicUrl?: string;
  /**
   * The process's bounded caches, made by the composition root (src/caches.ts);
   * without them every read is done afresh (tests, one-off commands).
   */
  readonly caches?: Caches;
}

/** The member on whose behalf a command runs, resolved from a platform identity. */
export interface Actor {
  readonly communityId: number;
  readonly memberId: number;
  /** Moderator right as checked on the server side (platform admin, configured role or member flag). */
  readonly isModerator: boolean;
  readonly spaceId: number | null;
  /**
   * The roles the platform of this request reported for the person (Discord
   * roles; none on Telegram): voterRole is checked against these, never
   * against roles seen on another platform of a linked member.
   */
  readonly roles?: readonly string[];
  /** The API token the request came through, recorded on what it writes (contributions, votes, ledger entries). */
  readonly tokenId?: number;
}

/** How a transaction other than a use case's usual one runs (an export reads one snapshot for minutes). */
export interface TransactionOptions {
  readonly isolationLevel?: "ReadCommitted" | "RepeatableRead";
  readonly timeout?: number;
}

/**
 * Runs `work` in one transaction (read committed unless told); every use case that
 * writes goes through here. Once it commits, the dispatcher is woken if it wrote
 * something to deliver.
 */
export async function inTransaction<T>(
  deps: Deps,
  work: (tx: Tx) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  let used: Tx | null = null;
  const value = await deps.db.$transaction(
    (tx) => {
      used = tx;
      return work(tx);
    },
    { isolationLevel: "ReadCommitted", timeout: 20_000, maxWait: 20_000, ...options },
  );
  if (used !== null && wakesDispatcher(used)) deps.store.wake(OUTBOX_CHANNEL);
  return value;
}

class RefusalRollback {
  constructor(readonly refusal: unknown) {}
}

/**
 * Runs a use case in one transaction that commits only when it succeeds: a
 * refusal returned from `work` rolls back everything written before it, so a
 * refused command changes nothing.
 */
export async function transact<R extends { readonly ok: boolean }>(
  deps: Deps,
  work: (tx: Tx) => Promise<R>,
): Promise<R> {
  try {
    return await inTransaction(deps, async (tx) => {
      const result = await work(tx);
      if (!result.ok) throw new RefusalRollback(result);
      return result;
    });
  } catch (error) {
    if (error instanceof RefusalRollback) return error.refusal as R;
    throw error;
  }
}
