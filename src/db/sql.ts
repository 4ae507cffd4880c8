import pg from "pg";
import { trackConnections } from "./pools.ts";

/**
 * One SQL statement with the types of its parameters and of its rows. It is
 * named, so pg prepares it once per connection and later runs only bind and
 * execute; values always travel as parameters, never spliced into the text.
 * The row type is what the statement's column list (with its casts) returns:
 * each path module declares both side by side, as TypedSQL would.
 */
export interface Statement<Params extends readonly unknown[], Row> {
  readonly name: string;
  readonly text: string;
  /** The channel whose listeners a committed run of this statement wakes (SqlStore.wake). */
  readonly wakes?: string;
  /** Never set: carries the parameter and row types. */
  readonly types?: (params: Params) => Row;
}

export function statement<Params extends readonly unknown[], Row>(
  name: string,
  text: string,
  options: { wakes?: string } = {},
): Statement<Params, Row> {
  return { name, text, ...options };
}

/**
 * A transaction on one pipelined connection. `rows` sends its statement at once
 * and does not wait for earlier ones, so statements issued back to back share a
 * round trip; the transaction commits (or rolls back) behind whatever is still
 * in flight, and every statement's failure fails the whole transaction.
 */
export interface SqlTx {
  rows<Params extends readonly unknown[], Row>(
    statement: Statement<Params, Row>,
    params: Params,
  ): Promise<Row[]>;
}

/**
 * What a transaction's work decides: commit what it wrote, or roll everything back.
 * The value may still be in flight (the rows of its last statement): COMMIT is then
 * sent behind that statement in the same round trip, so no lock it took is held
 * while its answer travels back, and the value is awaited after COMMIT.
 */
export interface TxOutcome<T> {
  readonly commit: boolean;
  readonly value: T | Promise<T>;
}

/**
 * The typed store the hot write paths use instead of Prisma: a pg pool of its
 * own in pipeline mode, owned by whoever opens the database (src/db/client.ts)
 * and closed with it.
 */
export interface SqlStore {
  transaction<T>(work: (tx: SqlTx) => Promise<TxOutcome<T>>): Promise<T>;
  /** One read on its own, outside any transaction: one message each way, with no BEGIN or COMMIT. */
  read<Params extends readonly unknown[], Row>(
    statement: Statement<Params, Row>,
    params: Params,
  ): Promise<Row[]>;
  /**
   * One statement in a transaction of its own whose COMMIT does not wait for the disk,
   * on connections of their own (so a caller may run one while it holds a transaction
   * of the pool's). Only for writes that matter through a later transaction that does
   * wait: that one's flush makes this one durable too, since the log is written in
   * order. A crash before then loses what this one wrote, and nothing depends on it yet.
   */
  unflushed<Params extends readonly unknown[], Row>(
    statement: Statement<Params, Row>,
    params: Params,
  ): Promise<Row[]>;
  /**
   * Wakes the listeners of `channel` (a NOTIFY) after whatever the caller committed.
   * A transaction that ran a statement which `wakes` a channel calls it by itself.
   * Sent on the unflushed connections, outside the caller's transaction: a NOTIFY in
   * a transaction serialises every committing transaction on one lock, held through
   * the flush. Wake-ups that come while one is on its way are sent as one, after it;
   * a wake-up lost to a failure is made good by the listener's own poll.
   */
  wake(channel: string): void;
  close(): Promise<void>;
}

const BEGIN = statement<[], never>("cairn_begin", "BEGIN");
const COMMIT = statement<[], never>("cairn_commit", "COMMIT");
const ROLLBACK = statement<[], never>("cairn_rollback", "ROLLBACK");
const NOTIFY = statement<[channel: string], never>("cairn_notify", "SELECT pg_notify($1::text, '')");
/**
 * Every statement of the store is written for its generic plan (rows found by key,
 * arrays through unnest or = ANY), so each is planned once per connection. Left to
 * choose, PostgreSQL plans a statement with a range or an array parameter again on
 * every call (the daily limit's count, the duplicate check) because each custom
 * plan's estimate looks cheaper than the generic one.
 */
const GENERIC_PLANS = "SET plan_cache_mode TO force_generic_plan";
/**
 * The unflushed connections' commits do not wait for the disk, so each of their
 * statements is a transaction of its own (committed by the protocol's Sync): one
 * message each way, where BEGIN, SET LOCAL and COMMIT around it took four answers.
 */
const UNFLUSHED = "SET synchronous_commit TO off";

/** Why the pool's errors are kept, not thrown: an idle connection the server ended is dropped by the pool. */
export interface StoreErrors {
  /** The last error an idle or checked-out connection reported outside a query (57P01 at shutdown, a reset). */
  readonly last: Error | null;
}

export function openSqlStore(
  databaseUrl: string,
  options: { poolSize?: number } = {},
): SqlStore & StoreErrors {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolSize ?? 10, pipeline: true });
  const unflushedPool = new pg.Pool({ connectionString: databaseUrl, max: 2, pipeline: true });
  const connections = trackConnections(pool);
  const unflushedConnections = trackConnections(unflushedPool);
  const errors: { last: Error | null } = { last: null };
  // An idle connection terminated by the server (57P01 when the database stops or is
  // dropped) is removed by the pool; without a listener pg would throw it out of the process.
  for (const [each, settings] of [
    [pool, [GENERIC_PLANS]],
    [unflushedPool, [GENERIC_PLANS, UNFLUSHED]],
  ] as const) {
    each.on("error", (error) => {
      errors.last = error;
    });
    // Queued ahead of the connection's first work. Should one fail, the connection only
    // plans or flushes more often, and whatever broke it fails that work too.
    each.on("connect", (client) => {
      for (const setting of settings) client.query(setting).catch(() => undefined);
    });
  }
  let closed: Promise<void> | null = null;
  const unflushed: SqlStore["unflushed"] = (statement, params) => alone(unflushedPool, statement, params);
  const wakeUps = coalescedWakeUps((channel) => unflushed(NOTIFY, [channel]));
  function wake(channel: string): void {
    if (closed === null) wakeUps.wake(channel);
  }
  return {
    get last() {
      return errors.last;
    },
    transaction: (work) => inTransaction(pool, errors, wake, work),
    read: (statement, params) => alone(pool, statement, params),
    unflushed,
    wake,
    close: () =>
      (closed ??= (async () => {
        await wakeUps.sent();
        await Promise.all([pool.end(), unflushedPool.end()]);
        await Promise.all([connections.hungUp(), unflushedConnections.hungUp()]);
      })()),
  };
}

/** One wake-up per channel on its way at a time; those asked for meanwhile leave as one after it. */
function coalescedWakeUps(send: (channel: string) => Promise<unknown>): {
  wake(channel: string): void;
  sent(): Promise<void>;
} {
  const onTheirWay = new Map<string, { again: boolean; done: Promise<void> }>();
  function start(channel: string): void {
    const entry = { again: false, done: Promise.resolve() };
    onTheirWay.set(channel, entry);
    entry.done = send(channel)
      .then(
        () => undefined,
        () => undefined, // the listener's poll finds what a lost wake-up would have announced
      )
      .then(() => {
        onTheirWay.delete(channel);
        if (entry.again) start(channel);
      });
  }
  return {
    wake(channel) {
      const entry = onTheirWay.get(channel);
      if (entry === undefined) start(channel);
      else entry.again = true;
    },
    async sent() {
      while (onTheirWay.size > 0) await Promise.all([...onTheirWay.values()].map((e) => e.done));
    },
  };
}

/** One statement on a connection of `pool`, committed by the protocol's Sync when it writes. */
async function alone<Params extends readonly unknown[], Row>(
  pool: pg.Pool,
  statement: Statement<Params, Row>,
  params: Params,
): Promise<Row[]> {
  // pg's pool.query gives a connection whose statement failed no second use.
  const result = await pool.query({ name: statement.name, text: statement.text, values: [...params] });
  return result.rows as Row[];
}

async function inTransaction<T>(
  pool: pg.Pool,
  errors: { last: Error | null },
  wake: (channel: string) => void,
  work: (tx: SqlTx) => Promise<TxOutcome<T>>,
): Promise<T> {
  const client = await pool.connect();
  // While checked out the pool's idle listener is off: a connection error between
  // statements is recorded here and fails the transaction through its statements.
  const onError = (error: Error): void => {
    errors.last = error;
  };
  client.on("error", onError);
  let broken: Error | null = null;
  try {
    const tx = pipelinedTx(client);
    void tx.rows(BEGIN, []);
    const outcome = await work(tx);
    void tx.rows(outcome.commit ? COMMIT : ROLLBACK, []);
    const value = Promise.resolve(outcome.value);
    // A failed statement fails the transaction through settled(); the value's own rejection is that same failure.
    value.catch(() => undefined);
    await tx.settled();
    if (outcome.commit) for (const channel of tx.woken) wake(channel);
    return await value;
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    await client.query(ROLLBACK.text).catch(() => undefined);
    throw error;
  } finally {
    client.removeListener("error", onError);
    // A connection whose transaction failed is not reused: it may be mid-pipeline.
    client.release(broken ?? undefined);
  }
}

/**
 * Holds the connection's socket writes until the event loop's check phase, so the
 * statements a transaction issues in one turn (the reads of a round trip; the last
 * write and its COMMIT) leave in one socket write, not one system call each.
 * pg corks each statement on its own; corks nest, so the outer one gathers them.
 */
function coalescedWrites(client: pg.PoolClient): () => void {
  const socket = client.connection.stream;
  let corked = false;
  return () => {
    if (corked) return;
    corked = true;
    socket.cork();
    setImmediate(() => {
      corked = false;
      socket.uncork();
    });
  };
}

function pipelinedTx(
  client: pg.PoolClient,
): SqlTx & { settled(): Promise<void>; readonly woken: ReadonlySet<string> } {
  const inFlight: Array<Promise<unknown>> = [];
  const woken = new Set<string>();
  const gather = coalescedWrites(client);
  let failure: unknown = null;
  return {
    woken,
    rows(statement, params) {
      gather();
      if (statement.wakes !== undefined) woken.add(statement.wakes);
      const sent = client
        .query({ name: statement.name, text: statement.text, values: [...params] })
        .then((result) => result.rows);
      // Handled here so a statement nobody awaits cannot become an unhandled rejection;
      // the first failure fails the transaction in settled().
      inFlight.push(sent.catch((error: unknown) => (failure ??= error)));
      return sent;
    },
    async settled() {
      await Promise.all(inFlight);
      // COMMIT in a failed transaction answers ROLLBACK without an error: look at every statement.
      if (failure !== null) throw failure;
    },
  };
}
