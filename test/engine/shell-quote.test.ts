// quote() must round-trip any string through dash and bash unchanged, or a hostile value could run.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quote, wrapForRemote } from '../../src/steps/transport/shell.js';

const HOSTILE = [
  'simple',
  'with space',
  "it's",
  '"double"',
  '$(touch /tmp/pwned)',
  '`id`',
  'a;b&&c||d|e',
  'multi\nline',
  '\\back\\slash',
  "'",
  "''",
  '$HOME ${PATH}',
  '-rf',
  '*',
  '{"runId":"x","n":1}',
  'tab\there',
  '!bang',
  'ünïcødé',
];

describe('quote', () => {
  for (const shell of ['/bin/sh', '/bin/bash']) {
    it(`round-trips hostile strings through ${shell}`, () => {
      for (const s of HOSTILE) {
        const r = spawnSync(shell, ['-c', `printf '%s' ${quote(s)}`], { encoding: 'utf8' });
        expect(r.stdout, `${shell}: ${JSON.stringify(s)}`).toBe(s);
      }
    });
  }

  it('survives the double wrapping of a remote command (login shell, then sh -c)', () => {
    for (const s of HOSTILE) {
      const r = spawnSync('/bin/sh', ['-c', wrapForRemote(`printf '%s' ${quote(s)}`)], { encoding: 'utf8' });
      expect(r.stdout, JSON.stringify(s)).toBe(s);
    }
  });

  it('refuses NUL', () => {
    expect(() => quote('a\0b')).toThrow(/NUL/);
  });
});
