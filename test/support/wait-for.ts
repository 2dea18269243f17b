/** Waiting on a condition with a deadline, instead of sleeping. */

/**
 * Resolves with the first truthy value of `predicate`, checked now and then
 * every few milliseconds; rejects after `deadlineMs` with `what` in the message.
 */
export async function waitFor<T>(predicate: () => T | undefined | null | false, deadlineMs = 5000, what = 'condition'): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (Date.now() - started > deadlineMs) throw new Error(`waitFor: ${what} not met within ${deadlineMs} ms`);
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
  }
}

/** Polls an async check until it yields a value (not undefined/false), with a deadline. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, deadlineMs = 5000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
