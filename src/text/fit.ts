// Text laid into a fixed number of terminal lines and columns: a screen that counts its rows knows how
// many it drew, and a line cut here never wraps. Widths are terminal columns: a CJK character takes two.

import stringWidth from 'string-width';

/** Words laid into at most `maxLines` lines of `width` columns; the last one ends in … when cut. */
export function fitLines(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    if (!line) line = word;
    else if (stringWidth(line) + 1 + stringWidth(word) <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = fitWidth(`${kept[maxLines - 1]!}…`, width);
  return kept;
}

/**
 * The line cut to at most `columns` terminal columns, with "…" when cut. Ink's own truncate can
 * overshoot by one column when a two-column character meets the cut, and the terminal then wraps.
 */
export function fitWidth(line: string, columns: number): string {
  if (stringWidth(line) <= columns) return line;
  if (columns < 1) return '';
  let out = '';
  let width = 0;
  for (const { segment } of graphemes.segment(line)) {
    const w = stringWidth(segment);
    if (width + w > columns - 1) break;
    out += segment;
    width += w;
  }
  return `${out}…`;
}

const graphemes = new Intl.Segmenter();
