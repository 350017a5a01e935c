// Screen: how to log in. Passwords are typed masked, kept in memory for this run only, and never
// saved; the screen says so.
import { existsSync, accessSync, constants } from 'node:fs';
import { Text } from 'ink';
import { useState } from 'react';
import { expandHome } from '../paths/home.js';
import type { ProvidedSecrets } from '../steps/transport/credentials.js';
import { checkDraft } from '../wizard/check-draft.js';
import { messageFor, type Draft } from '../wizard/draft.js';
import { Form } from './components/Form.js';
import { Title } from './components/Title.js';
import type { ScreenProps } from './types.js';

function keyProblem(path: string): string | undefined {
  if (!path) return undefined;
  const p = expandHome(path);
  if (!existsSync(p)) return `${p} does not exist`;
  try {
    accessSync(p, constants.R_OK);
  } catch {
    return `${p} is not readable`;
  }
  return undefined;
}

export function SshAccess({
  draft,
  catalog,
  step,
  onSubmit,
  onBack,
  secrets,
  onSecrets,
}: ScreenProps & { secrets: ProvidedSecrets; onSecrets: (s: ProvidedSecrets) => void }) {
  const s = draft.ssh ?? {};
  const [user, setUser] = useState(String(s.user ?? 'root'));
  const [port, setPort] = useState(String(s.port ?? '22'));
  const [key, setKey] = useState(String(s.identityFile ?? ''));
  const [password, setPassword] = useState(secrets.password ?? '');
  const [sudo, setSudo] = useState(secrets.sudoPassword ?? '');
  const agent = process.env.SSH_AUTH_SOCK;
  const next: Draft = {
    ...draft,
    ssh: {
      ...s,
      user: user.trim(),
      port: /^\d+$/.test(port) ? Number(port) : port,
      identityFile: key.trim() || undefined,
    },
  };
  const problems = checkDraft(next, catalog).problems;
  const noAuth =
    !key.trim() && !agent && !password && !s.passwordEnv
      ? 'give a key file, start ssh-agent, or type a password'
      : undefined;
  return (
    <>
      <Title
        step={step}
        title="SSH access"
        help="How the wizard logs in to every host (a host may override the user and port on the Hosts screen)."
      />
      <Form
        banner={
          <>
            <Text dimColor>
              SSH agent: {agent ? `in use (${agent})` : 'not running (SSH_AUTH_SOCK is not set)'}
            </Text>
            <Text color="yellow">
              Passwords are kept in memory for this run only and are never saved or exported.
            </Text>
            {noAuth ? <Text color="red">✗ {noAuth}</Text> : null}
          </>
        }
        fields={[
          {
            kind: 'text',
            key: 'user',
            label: 'User',
            value: user,
            onChange: setUser,
            hint: 'a non-root user needs sudo',
            error: messageFor(problems, 'ssh.user'),
          },
          {
            kind: 'text',
            key: 'port',
            label: 'Port',
            value: port,
            onChange: setPort,
            error: messageFor(problems, 'ssh.port'),
          },
          {
            kind: 'text',
            key: 'key',
            label: 'Key file',
            value: key,
            onChange: setKey,
            placeholder: 'e.g. ~/.ssh/id_ed25519',
            hint: 'ed25519, ecdsa or rsa; empty to use the agent or a password',
            error: keyProblem(key) ?? messageFor(problems, 'ssh.identityFile'),
          },
          {
            kind: 'text',
            key: 'password',
            label: 'Password',
            value: password,
            onChange: setPassword,
            mask: true,
            placeholder: '(optional, not saved)',
          },
          {
            kind: 'text',
            key: 'sudo',
            label: 'sudo password',
            value: sudo,
            onChange: setSudo,
            mask: true,
            placeholder: user === 'root' ? '(not needed for root)' : '(empty: same as the password)',
          },
        ]}
        onSubmit={() => {
          if (noAuth) return;
          onSecrets({ ...(password ? { password } : {}), ...(sudo ? { sudoPassword: sudo } : {}) });
          onSubmit(next);
        }}
        onBack={onBack}
      />
    </>
  );
}
