// Text laid into a fixed number of terminal lines: a screen that counts its rows knows how many it drew.

/** Words laid into at most `maxLines` lines of `width` columns; the last one ends in … when cut. */
export function fitLines(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    if (!line) line = word;
    else if ([...line].length + 1 + [...word].length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${[...kept[maxLines - 1]!].slice(0, Math.max(0, width - 1)).join('')}…`;
  return kept;
}
