// Which labs of the suite install which OS rows: the seed lab (mixed) and the scale variation
// (mixed+5). Together they cover the README's table; test/answers/os-matrix.test.ts checks that.
export const SEED_LAB = { masters: 3, workers: 2, os: 'mixed' };
export const VARIATION_LAB = { masters: 3, workers: 5, os: 'mixed+5' };
