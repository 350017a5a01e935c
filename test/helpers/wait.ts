// Polling for a condition in a test, with how long it took: the value once `fn` gives one.

export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | false,
  timeoutMs: number,
): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return { value: v, ms: Date.now() - start };
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
