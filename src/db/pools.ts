import type pg from "pg";

/** How long closing waits for a pool's connections to hang up before giving up on them. */
const HANG_UP_TIMEOUT_MS = 5_000;

/**
 * Follows the connections a pg pool opens, so whoever stops the database can
 * wait until each one has hung up. `pool.end()` resolves once every client is
 * handed back and told to end, before their sockets close: PostgreSQL stopped
 * at that moment terminates those sessions (57P01) and the client reports it.
 */
export function trackConnections(pool: pg.Pool): { hungUp(): Promise<void> } {
  const open = new Set<pg.PoolClient>();
  pool.on("connect", (client) => open.add(client));
  pool.on("remove", (client) => open.delete(client));
  return {
    hungUp: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, HANG_UP_TIMEOUT_MS).unref();
        function done(): void {
          clearTimeout(timer);
          pool.off("remove", check);
          resolve();
        }
        function check(): void {
          if (open.size === 0) done();
        }
        pool.on("remove", check);
        check();
      }),
  };
}
