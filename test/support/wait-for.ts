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
