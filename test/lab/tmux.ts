// A real terminal for end-to-end tests: tmux, driven with send-keys and read with capture-pane.
import { spawnSync } from 'node:child_process';
import { displayWidth } from '../helpers/terminal-width.js';

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

  /**
   * Sample the screen every `everyMs` until stop(), as the terminal really shows it (wrapped lines
   * joined back, so a line the terminal had to wrap shows as wider than the terminal). At every sample
   * the first line must match `title`, and no line may be wider than `cols`. A frame caught half drawn
   * is sampled again 100 ms later: only what stays on the screen counts.
   */
  watchFrame(cols: number, title: RegExp, everyMs = 250): { stop(): { samples: number; broken: string[] } } {
    let samples = 0;
    const broken: string[] = [];
    const problems = (): string[] => {
      const r = spawnSync('tmux', ['capture-pane', '-p', '-J', '-t', this.session], { encoding: 'utf8' });
      if (r.status !== 0) return [];
      const lines = r.stdout.replace(/\n$/, '').split('\n');
      const out: string[] = [];
      if (!title.test(lines[0] ?? '')) out.push(`the first line is not the title: "${lines[0]}"`);
      for (const l of lines)
        if (displayWidth(l.trimEnd()) > cols)
          out.push(`a line of ${displayWidth(l.trimEnd())} columns in ${cols}: "${l.trimEnd()}"`);
      return out;
    };
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      samples++;
      const first = problems();
      if (!first.length) {
        busy = false;
        return;
      }
      setTimeout(() => {
        const again = problems();
        if (again.length) broken.push(`sample ${samples}: ${again.join('; ')}\n${this.screen()}`);
        busy = false;
      }, 100);
    }, everyMs);
    return {
      stop() {
        clearInterval(timer);
        return { samples, broken };
      },
    };
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
