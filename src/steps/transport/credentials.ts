// Who we log in as and with what: key files (with a passphrase from an environment variable or the
// wizard), the SSH agent, a password from an environment variable, sudo for a non-root user, and an
// optional bastion. Secrets come from the environment or the wizard and are never written anywhere.
import { existsSync, readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { effectiveSsh } from '../../answers/model.js';
import { expandHome } from '../../paths/home.js';

export { expandHome };
import type { Answers, Host } from '../../answers/schema.js';
import { UsageError } from '../../errors.js';

export interface LoginCredentials {
  user: string;
  port: number;
  privateKey?: Buffer;
  passphrase?: string;
  agent?: string;
  password?: string;
  /** For a non-root user: sudo's password, or undefined for passwordless sudo (-n). */
  sudoPassword?: string;
  /** Where the key came from, for messages. */
  keyFile?: string;
}

export interface SshCredentials extends LoginCredentials {
  bastion?: LoginCredentials & { address: string };
}

/** Secrets typed into the wizard; they take precedence over environment variables. */
export interface ProvidedSecrets {
  password?: string;
  sudoPassword?: string;
  passphrase?: string;
}

function fromEnv(
  varName: string | undefined,
  field: string,
  host: string,
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (!varName) return undefined;
  const v = env[varName];
  if (v === undefined || v === '') {
    throw new UsageError(
      `${field} names the environment variable ${varName}, but it is not set (host ${host})`,
      `export ${varName}=... before running, or remove ${field} from the answers`,
    );
  }
  return v;
}

function loadKey(
  file: string,
  host: string,
  passphrase: string | undefined,
  passphraseVar: string | undefined,
): Buffer {
  const path = expandHome(file);
  if (!existsSync(path))
    throw new UsageError(
      `ssh.identityFile: the identity file ${path} for host ${host} does not exist`,
      'fix ssh.identityFile, or remove it to use the SSH agent',
    );
  let key: Buffer;
  try {
    key = readFileSync(path);
  } catch (e) {
    throw new UsageError(
      `cannot read the identity file ${path} for host ${host}: ${(e as NodeJS.ErrnoException).code}`,
      'check its permissions',
    );
  }
  const parsed = ssh2.utils.parseKey(key, passphrase);
  if (parsed instanceof Error) {
    if (/passphrase|encrypted/i.test(parsed.message)) {
      throw new UsageError(
        `the identity file ${path} is encrypted and ${passphrase ? 'the passphrase is wrong' : 'no passphrase was given'} (host ${host})`,
        passphraseVar
          ? `set the right passphrase in ${passphraseVar}`
          : 'set ssh.keyPassphraseEnv to the name of an environment variable holding it, or load the key into ssh-agent',
      );
    }
    throw new UsageError(
      `the identity file ${path} is not a private key ssh2 can read: ${parsed.message}`,
      'use an ed25519, ecdsa or rsa key in OpenSSH or PEM format',
    );
  }
  return key;
}

const DEFAULT_KEYS = ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'];

export function resolveCredentials(
  a: Answers,
  h: Host,
  env: NodeJS.ProcessEnv = process.env,
  provided: ProvidedSecrets = {},
): SshCredentials {
  const s = effectiveSsh(a, h);
  const passphrase = provided.passphrase ?? fromEnv(s.keyPassphraseEnv, 'ssh.keyPassphraseEnv', h.name, env);
  const password = provided.password ?? fromEnv(s.passwordEnv, 'ssh.passwordEnv', h.name, env);
  const sudoPassword =
    s.user === 'root'
      ? undefined
      : (provided.sudoPassword ?? fromEnv(s.sudoPasswordEnv, 'ssh.sudoPasswordEnv', h.name, env) ?? password);
  const agent = env.SSH_AUTH_SOCK || undefined;
  let keyFile = s.identityFile;
  if (!keyFile && !agent && !password) keyFile = DEFAULT_KEYS.find((k) => existsSync(expandHome(k)));
  if (!keyFile && !agent && !password) {
    throw new UsageError(
      `no way to log in to ${h.name}: no identity file, no SSH agent (SSH_AUTH_SOCK) and no password`,
      'set ssh.identityFile, start ssh-agent, or set ssh.passwordEnv',
    );
  }
  const creds: SshCredentials = {
    user: s.user,
    port: s.port,
    ...(keyFile
      ? { privateKey: loadKey(keyFile, h.name, passphrase, s.keyPassphraseEnv), keyFile: expandHome(keyFile) }
      : {}),
    ...(passphrase ? { passphrase } : {}),
    ...(agent ? { agent } : {}),
    ...(password ? { password } : {}),
    ...(sudoPassword ? { sudoPassword } : {}),
  };
  if (s.bastion) {
    const b = s.bastion;
    const bKeyFile = b.identityFile ?? keyFile;
    creds.bastion = {
      address: b.address,
      user: b.user ?? s.user,
      port: b.port,
      ...(bKeyFile
        ? {
            privateKey: loadKey(bKeyFile, `bastion ${b.address}`, passphrase, s.keyPassphraseEnv),
            keyFile: expandHome(bKeyFile),
          }
        : {}),
      ...(passphrase ? { passphrase } : {}),
      ...(agent ? { agent } : {}),
    };
  }
  return creds;
}
