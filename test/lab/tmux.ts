// A real terminal for end-to-end tests: tmux, driven with send-keys and read with capture-pane.
import { spawnSync } from 'node:child_process';

export class Tmux {
  constructor(readonly session: string) {}

  static start(session: string, command: string, cols = 80, rows = 24): Tmux {
    spawnSync('tmux', ['kill-session', '-t', session]);
    const r = spawnSync(
      'tmux',
      ['new-session', '-d', '-s', session, '-x', String(cols), '-y', String(rows), command],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`tmux failed: ${r.stderr}`);
    return new Tmux(session);
  }

  screen(): string {
    return spawnSync('tmux', ['capture-pane', '-p', '-t', this.session], { encoding: 'utf8' }).stdout;
  }

  /** Keys by tmux name (Enter, Down, Escape, C-c) or literal text with `literal`. */
  send(keys: string[], literal = false): void {
    spawnSync('tmux', ['send-keys', '-t', this.session, ...(literal ? ['-l'] : []), ...keys]);
  }

  async type(text: string): Promise<void> {
    this.send([text], true);
    await pause(150);
  }

  /** All keys in one send-keys, as an operator typing ahead over a slow link delivers them. */
  async press(...keys: string[]): Promise<void> {
    this.send(keys);
    await pause(150);
  }

  async waitFor(pattern: RegExp | string, timeoutMs = 15_000): Promise<string> {
    const start = Date.now();
    for (;;) {
      const s = this.screen();
      if (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s)) {
        await pause(150);
        return s;
      }
      if (Date.now() - start > timeoutMs)
        throw new Error(`timed out waiting for ${String(pattern)} in the terminal:\n${s}`);
      await pause(100);
    }
  }

  alive(): boolean {
    return spawnSync('tmux', ['has-session', '-t', this.session]).status === 0;
  }

  kill(): void {
    spawnSync('tmux', ['kill-session', '-t', this.session]);
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
