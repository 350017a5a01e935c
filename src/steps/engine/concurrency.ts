// How many nodes the engine works on at once unless --concurrency says otherwise. One connection per
// node; ten keeps a 2-CPU operator machine and a bastion comfortable.
export const DEFAULT_CONCURRENCY = 10;
