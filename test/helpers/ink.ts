// Driving Ink screens in tests: keys, typing, and waiting for a frame (useInput is armed a tick after
// a frame appears, so every key waits for the screen to settle).
import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';

export const KEY = {
  enter: '\r',
  esc: '\u001B',
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  tab: '\t',
  ctrlC: '\u0003',
  backspace: '\u007F',
};

const tick = (ms = 15) => new Promise((r) => setTimeout(r, ms));

export interface Screen {
  frame(): string;
  press(...keys: string[]): Promise<void>;
  type(text: string): Promise<void>;
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Whether any frame so far showed this (fast screens can come and go between polls). */
  seen(text: string | RegExp): boolean;
  unmount(): void;
}

export async function mount(el: ReactElement): Promise<Screen> {
  const r = render(el);
  await tick(30);
  const frame = () => r.lastFrame() ?? '';
  return {
    frame,
    async press(...keys) {
      for (const k of keys) {
        r.stdin.write(k);
        await tick();
      }
      await tick();
    },
    async type(text) {
      // One write, as a terminal delivers a paste: a controlled input sees it as a single change.
      r.stdin.write(text);
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
    seen: (text) => r.frames.some((f) => (typeof text === 'string' ? f.includes(text) : text.test(f))),
    unmount: () => r.unmount(),
  };
}
