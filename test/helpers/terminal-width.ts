// How wide a line is on a terminal, for tests that hold a screen to its width.

/**
 * Terminal columns a line takes: a tab moves to the next stop of 8, East Asian wide and fullwidth
 * characters take two, combining marks and joiners none.
 */
export function displayWidth(line: string): number {
  let w = 0;
  for (const ch of line) {
    if (ch === '\t') {
      w += 8 - (w % 8);
      continue;
    }
    if (/\p{Mn}|\p{Me}|\u200d|\ufe0f/u.test(ch)) continue;
    const c = ch.codePointAt(0)!;
    w +=
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1faff)
        ? 2
        : 1;
  }
  return w;
}
