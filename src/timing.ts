// Waiting for something that may never answer (a scrape, a readiness check, a
// server at start-up) for a bounded time.

/** `work`'s value (wrapped, so a null value is still an answer), or null after `ms` or on an error. */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<{ value: T } | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([work.then((value) => ({ value })), timeout]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
