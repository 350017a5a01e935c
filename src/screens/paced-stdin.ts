// Keys that arrive together (typed ahead over a slow SSH link, pasted, or sent by a script) are handed to
// Ink one at a time. Ink renders in React's legacy mode: a key's state change is rendered in a scheduler
// task, and useInput swaps in the handler that knows the new state only in a passive effect, a task later.
// Ink emits every key of one read in a row, so in "Down, Enter" the Enter reached the stale handler and a
// menu chose the item above the one on screen (Retry instead of Skip). A timer gap is not enough: a loaded
// machine fires it between the render and the effect. So the next key is queued in React's own scheduler
// at idle priority, which runs only after the render and effect tasks the previous key caused.
import { Readable } from 'node:stream';
import { unstable_IdlePriority, unstable_scheduleCallback } from 'scheduler';

// CSI (ESC [ … final byte), SS3 (ESC O x), Alt+CSI, Alt+key or a lone ESC; then one control character;
// then a run of printable text, kept whole so a paste still reaches a text field as one change.
const KEY_PATTERN =
  // eslint-disable-next-line no-control-regex
  /\u001B\u001B?\[[0-?]*[ -/]*[@-~]|\u001BO.|\u001B[^\u001B]?|[\u0000-\u001F\u007F]|[^\u0000-\u001F\u007F]+/gsu;

/** Split what one read delivered into the keys in it, in order; nothing is dropped. */
export function splitKeys(text: string): string[] {
  return text.match(KEY_PATTERN) ?? [];
}

/** What pacedStdin needs of the terminal's stdin (process.stdin in the wizard, a fake one in tests). */
interface TtyIn {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  ref?(): unknown;
  unref?(): unknown;
  on(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  off(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
}

/**
 * A stdin for Ink that forwards raw mode and ref to the terminal and delivers its keys one per tick.
 * Keys that arrive before `holdUntil` settles wait in order (the wizard's first frame is drawn before
 * the screens that handle them have loaded); the terminal is in raw mode meanwhile, so none is echoed.
 */
export function pacedStdin(source: TtyIn, opts: { holdUntil?: Promise<unknown> } = {}): NodeJS.ReadStream {
  const queue: string[] = [];
  // While held, pumping stays true: keys queue and nothing starts the pump.
  let pumping = opts.holdUntil !== undefined;
  const out = new Readable({ read() {} });

  const pump = () => {
    const key = queue.shift();
    if (key === undefined) {
      pumping = false;
      return;
    }
    out.push(key);
    // Ink reads the key on the next tick and React queues its work then; the idle task goes in after it.
    setImmediate(() => unstable_scheduleCallback(unstable_IdlePriority, pump));
  };
  const onData = (chunk: string | Buffer) => {
    // A line typed before raw mode was on comes with the terminal's \n for Enter (ICRNL); to Ink a
    // lone \n is a character, so the text field took it into the cluster's name.
    queue.push(...splitKeys(String(chunk)).map((k) => (k === '\n' ? '\r' : k)));
    if (!pumping) {
      pumping = true;
      pump();
    }
  };

  const release = () => {
    pumping = true;
    pump();
  };
  opts.holdUntil?.then(release, release);

  source.setEncoding('utf8'); // never split a multi-byte character between two keys
  return Object.assign(out, {
    isTTY: source.isTTY,
    setRawMode(mode: boolean) {
      source.setRawMode?.(mode);
      if (mode) {
        source.on('data', onData);
        source.resume();
      } else {
        source.off('data', onData);
        source.pause();
      }
      return out;
    },
    ref() {
      source.ref?.();
      return out;
    },
    unref() {
      source.unref?.();
      return out;
    },
  }) as unknown as NodeJS.ReadStream;
}
