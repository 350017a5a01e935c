// Text from hosts (command output, hostnames, errors) and from catalogs is printed to the operator's
// terminal. Escape sequences in it could move the cursor, rewrite earlier lines or set the window
// title, so they are removed: ESC sequences (CSI, OSC and the rest), other C0 and C1 controls, DEL.
// Tabs stay; a carriage return is dropped (it would overwrite the line).

import stringWidth from 'string-width';

const ESCAPES =
  // eslint-disable-next-line no-control-regex
  /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/** One line of text, safe to print: no escape sequences, no control characters but tab. */
export function safeLine(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '');
}

/**
 * Tabs as the spaces a terminal would show (stops every 8 columns). A screen that cuts lines to its
 * width must see them: Ink counts a tab as one column, the terminal moves up to eight, and the line
 * wraps (kubeadm indents its join command with a tab).
 */
export function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  let width = 0;
  for (const ch of line) {
    const pad = ch === '\t' ? 8 - (width % 8) : 0;
    out += pad ? ' '.repeat(pad) : ch;
    width += pad || stringWidth(ch);
  }
  return out;
}

/** Several lines: each made safe, the line breaks kept. */
export function safeText(text: string): string {
  return text.split('\n').map(safeLine).join('\n');
}

// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\x00-\x1f\x7f-\x9f]/;

/** True when text holds a control character (tab and line breaks included). */
export function hasControlChars(text: string): boolean {
  return ANY_CONTROL.test(text);
}
