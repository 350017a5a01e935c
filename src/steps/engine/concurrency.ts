// How many nodes the engine works on at once unless --concurrency says otherwise. One connection per
// node; ten keeps a 2-CPU operator machine and a bastion comfortable.
export const DEFAULT_CONCURRENCY = 10;

/** --concurrency as given (1–200), or the default. */
export function concurrencyOf(flags: { concurrency?: string }): number {
  const n = Number(flags.concurrency ?? DEFAULT_CONCURRENCY);
  return Number.isInteger(n) && n >= 1 && n <= 200 ? n : DEFAULT_CONCURRENCY;
}
