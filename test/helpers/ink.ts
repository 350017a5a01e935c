// Driving Ink screens in tests: keys, typing, and waiting for a frame.
//
// Ink renders in React's legacy mode, where a commit paints the frame at once but useInput swaps in the
// handler that knows the new state only in a passive effect afterwards. A key sent in between reaches the
// stale handler (a loaded CI machine widens the gap: a Down then Enter picked the item above). So every key
// first lets already-scheduled effects run, then goes in through React's act(), which flushes the update
// and its effects before returning.
import { render } from 'ink-testing-library';
import { act, type ReactElement } from 'react';

export const KEY = {
  enter: '\r',
  esc: '\u001B',
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  tab: '\t',
  ctrlC: '\u0003',
  ctrlU: '\u0015',
  backspace: '\u007F',
};

const tick = (ms = 15) => new Promise((r) => setTimeout(r, ms));
// React's scheduler queues passive effects with setImmediate; ours runs after them.
const afterImmediates = () => new Promise((r) => setImmediate(r));
const actEnv = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean };

export interface Screen {
  frame(): string;
  press(...keys: string[]): Promise<void>;
  type(text: string): Promise<void>;
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /**
   * Move a menu's cursor (❯) down to the item and press Enter. Checks the frame after each key, so a
   * key sent before a screen armed its menu is sent again instead of landing on the wrong item.
   */
  choose(label: string, maxPresses?: number): Promise<void>;
  /** Whether any frame so far showed this (fast screens can come and go between polls). */
  seen(text: string | RegExp): boolean;
  unmount(): void;
}

export async function mount(el: ReactElement): Promise<Screen> {
  const r = render(el);
  await tick(30);
  const frame = () => r.lastFrame() ?? '';
  const send = async (data: string) => {
    await afterImmediates();
    await afterImmediates();
    // Only around our own writes: engine updates elsewhere are not act()-wrapped and would warn.
    actEnv.IS_REACT_ACT_ENVIRONMENT = true;
    try {
      await act(async () => {
        r.stdin.write(data);
      });
    } finally {
      actEnv.IS_REACT_ACT_ENVIRONMENT = false;
    }
  };
  return {
    frame,
    async press(...keys) {
      for (const k of keys) {
        await send(k);
        await tick();
      }
      await tick();
    },
    async type(text) {
      // One write, as a terminal delivers a paste: a controlled input sees it as a single change.
      await send(text);
      await tick(30);
    },
    async waitFor(text, timeoutMs = 5000) {
      const start = Date.now();
      for (;;) {
        const f = frame();
        if (typeof text === 'string' ? f.includes(text) : text.test(f)) {
          await tick(40); // let the new screen's useInput arm before the next key
          return f;
        }
        if (Date.now() - start > timeoutMs)
          throw new Error(`timed out waiting for ${String(text)}; last frame:\n${f}`);
        await tick(20);
      }
    },
    async choose(label, maxPresses = 12) {
      // The item under the cursor, with any box border around the menu stripped.
      const cursor = () => {
        for (const line of frame().split('\n')) {
          const m = /^[\s│]*❯ (.*?)[\s│]*$/.exec(line);
          if (m) return m[1];
        }
        return undefined;
      };
      for (let presses = 0; cursor() !== label; presses++) {
        if (presses === maxPresses)
          throw new Error(
            `no menu item "${label}" under the cursor after ${maxPresses} presses; last frame:\n${frame()}`,
          );
        const before = cursor();
        await send(KEY.down);
        // A menu that appeared but is not armed yet ignores the key; wait a moment and send another.
        for (let waited = 0; waited < 300 && cursor() === before; waited += 20) await tick(20);
      }
      await send(KEY.enter);
      await tick();
    },
    seen: (text) => r.frames.some((f) => (typeof text === 'string' ? f.includes(text) : text.test(f))),
    unmount: () => r.unmount(),
  };
}
