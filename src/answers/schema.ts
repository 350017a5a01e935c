// The answers file (contract: apiVersion k8sha-wizard/v1). One zod schema for the file, the saved
// answers and every wizard screen; cross-field rules live in rules.ts and run inside it.
import { z } from 'zod';
import type { Catalog } from '../catalog/schema.js';
import { isIPv4, parseCidr } from '../net/ipv4.js';
import { PLACEHOLDERS, REGISTRY_PATH, urlField } from '../input/url-template.js';
import { API_VERSION, DEFAULTS, LB_MODES, defaultLbPort } from './defaults.js';
import { checkCrossFieldRules, type RuleOptions } from './rules.js';

/** Lowercase RFC 1123 label: what a Kubernetes node name and a hostname both accept. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_MESSAGE =
  'must be a lowercase RFC 1123 label: a-z, 0-9 and "-", starting and ending with a letter or digit, at most 63 characters';

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

const dnsLabel = z.string().regex(DNS_LABEL, LABEL_MESSAGE);
const ipv4 = z.string().refine(isIPv4, 'must be an IPv4 address such as 172.16.100.100');
const cidr = z
  .string()
  .refine((s) => parseCidr(s) !== undefined, 'must be an IPv4 CIDR such as 10.244.0.0/16');
const port = z.number().int('must be a whole number').min(1, 'must be 1–65535').max(65535, 'must be 1–65535');
const envName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,127}$/,
    'must be the NAME of an environment variable (letters, digits, _), not a secret',
  );
const posixUser = z
  .string()
  .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a POSIX user name (lowercase, digits, _ and -)');
const filePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((s) => !/[\0\n\r]/.test(s), 'must not contain NUL or line breaks');
const ifaceName = z
  .string()
  .regex(/^[A-Za-z0-9_.:@-]{1,15}$/, 'must be a network interface name such as eth0 (1–15 characters)');
const semver = z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a version such as 2.3.4');

const bastionSchema = z.strictObject({
  address: z.string().refine((s) => isIPv4(s) || DNS_NAME.test(s), 'must be an IPv4 address or a DNS name'),
  port: port.default(22),
  user: posixUser.optional(),
  identityFile: filePath.optional(),
});

/** SSH settings: the file's `ssh:` block, and the per-host override, which may set any subset. */
const sshFields = {
  user: posixUser,
  port,
  identityFile: filePath,
  /** Environment variable holding the SSH password (never the password itself). */
  passwordEnv: envName,
  /** Environment variable holding the sudo password for a non-root user. */
  sudoPasswordEnv: envName,
  /** Environment variable holding the identity file's passphrase. */
  keyPassphraseEnv: envName,
  bastion: bastionSchema,
};
const sshOverrideSchema = z.strictObject({
  user: sshFields.user.optional(),
  port: sshFields.port.optional(),
  identityFile: sshFields.identityFile.optional(),
  passwordEnv: sshFields.passwordEnv.optional(),
  sudoPasswordEnv: sshFields.sudoPasswordEnv.optional(),
  keyPassphraseEnv: sshFields.keyPassphraseEnv.optional(),
  bastion: sshFields.bastion.optional(),
});
const sshDefaultsSchema = sshOverrideSchema.extend({
  user: sshFields.user.default(DEFAULTS.ssh.user),
  port: sshFields.port.default(DEFAULTS.ssh.port),
  /** Refuse hosts whose key is not already in a known_hosts file (no trust on first use). */
  strictHostKeys: z.boolean().default(DEFAULTS.ssh.strictHostKeys),
});

const hostSchema = z.strictObject({
  name: dnsLabel,
  address: ipv4,
  role: z.enum(['control-plane', 'worker'], { error: 'must be "control-plane" or "worker"' }),
  ssh: sshOverrideSchema.optional(),
  interface: ifaceName.optional(),
});

const loadBalancerSchema = z
  .strictObject({
    /** haproxy-keepalived (the seed's) or kube-vip (one static pod per control plane, no extra packages). */
    mode: z
      .enum(LB_MODES, { error: 'must be haproxy-keepalived or kube-vip' })
      .default(DEFAULTS.loadBalancer.mode),
    vip: z
      .string({
        error: (i) =>
          i.input === undefined
            ? 'is required: the virtual IP with its prefix, e.g. 172.16.100.150/24'
            : undefined,
      })
      .refine(
        (s) => parseCidr(s) !== undefined,
        "must be the VIP with the prefix of the control planes' subnet, e.g. 172.16.100.150/24",
      ),
    /** Default 8443 with haproxy (6443 is the apiserver's), 6443 with kube-vip (the apiserver itself). */
    port: port.optional(),
    interface: ifaceName.optional(),
    virtualRouterId: z
      .number()
      .int()
      .min(1, 'must be 1–255')
      .max(255, 'must be 1–255')
      .default(DEFAULTS.loadBalancer.virtualRouterId),
    /** VRRP over unicast to the other control planes, for networks that drop multicast. */
    unicast: z.boolean().default(DEFAULTS.loadBalancer.unicast),
    /** haproxy stats page on 127.0.0.1:8404 with a generated password. */
    stats: z.boolean().default(DEFAULTS.loadBalancer.stats),
    /** Extra names or addresses for the apiserver certificate (e.g. a DNS name for the VIP). */
    extraSANs: z
      .array(z.string().regex(/^[a-z0-9.-]{1,253}$/i, 'must be a DNS name or an IPv4 address'))
      .max(64)
      .default([]),
  })
  // The port's default follows the mode; the JSON Schema (input side) still shows every field.
  .transform((lb) => ({ ...lb, port: lb.port ?? defaultLbPort(lb.mode) }));

const networkSchema = z.strictObject({
  podCIDR: cidr.default(DEFAULTS.network.podCIDR),
  serviceCIDR: cidr.default(DEFAULTS.network.serviceCIDR),
  cni: z.enum(['calico']).default(DEFAULTS.network.cni),
  proxyMode: z
    .enum(['ipvs', 'iptables', 'nftables'], { error: 'must be ipvs, iptables or nftables' })
    .default(DEFAULTS.network.proxyMode),
  dnsDomain: z
    .string()
    .regex(DNS_NAME, 'must be a DNS domain such as cluster.local')
    .default(DEFAULTS.network.dnsDomain),
});

function repoOverride(placeholders: { rpm: readonly string[]; deb: readonly string[] }) {
  const rpm = { placeholders: placeholders.rpm, yumVariables: true };
  return z.strictObject({
    rpm: z.strictObject({ baseurl: urlField(rpm), gpgkey: urlField(rpm) }).optional(),
    deb: z
      .strictObject({
        url: urlField({ placeholders: placeholders.deb }),
        key: urlField({ placeholders: placeholders.deb }),
      })
      .optional(),
  });
}
/** Custom URLs on top of the chosen mirror preset, e.g. for an internal mirror. */
const mirrorOverridesSchema = z.strictObject({
  imageRepository: z
    .string()
    .max(255)
    .regex(REGISTRY_PATH, 'must be a registry path such as harbor.example.com/k8s')
    .optional(),
  kubernetes: repoOverride({ rpm: PLACEHOLDERS.kubernetesRepo, deb: PLACEHOLDERS.kubernetesRepo }).optional(),
  dockerCe: repoOverride({ rpm: PLACEHOLDERS.dockerCeRpm, deb: PLACEHOLDERS.dockerCeDeb }).optional(),
});

export function answersObjectSchema(catalog: Catalog) {
  return z.strictObject({
    apiVersion: z.literal(API_VERSION, { error: `must be "${API_VERSION}"` }),
    cluster: z.strictObject({
      name: dnsLabel,
      kubernetesVersion: z
        .string({ error: 'must be a string; quote it, e.g. "1.36"' })
        .default(catalog.recommended),
    }),
    hosts: z.array(hostSchema).min(1, 'list at least one host').max(1000, 'at most 1000 hosts'),
    ssh: sshDefaultsSchema.prefault({}),
    loadBalancer: loadBalancerSchema.optional(),
    network: networkSchema.prefault({}),
    mirror: z
      .enum(['official', 'aliyun'], {
        error: 'must be official or aliyun (use mirrorOverrides for custom URLs)',
      })
      .default(DEFAULTS.mirror),
    mirrorOverrides: mirrorOverridesSchema.optional(),
    versions: z
      .strictObject({
        containerd: semver.optional(),
        calico: z
          .string()
          .regex(/^v\d+\.\d+\.\d+$/, 'must be a Calico release such as v3.32.1')
          .optional(),
      })
      .optional(),
    addons: z
      .strictObject({ dashboard: z.enum(['none', 'kuboard']).default(DEFAULTS.addons.dashboard) })
      .prefault({}),
    system: z
      .strictObject({
        /** open: add the Kubernetes ports to firewalld/ufw; disable: stop the firewall; leave: do nothing. */
        firewall: z.enum(['open', 'disable', 'leave']).default(DEFAULTS.system.firewall),
        /** timer: a systemd timer renews the control planes' kubeadm certificates monthly; none: by hand. */
        certRenewal: z.enum(['timer', 'none']).default(DEFAULTS.system.certRenewal),
        /** A timer on every control plane takes a checked etcd snapshot and keeps the last `keep`. */
        etcdBackup: z
          .strictObject({
            // systemd OnCalendar: daily, weekly, or a calendar such as "*-*-* 02:30:00". Nothing that
            // could end the line in the unit file.
            schedule: z
              .string()
              .regex(
                /^[A-Za-z0-9*:,./~ -]{1,64}$/,
                'must be a systemd calendar such as daily or "*-*-* 02:30:00"',
              )
              .default('daily'),
            keep: z.number().int().min(1).max(365).default(7),
          })
          .optional(),
      })
      .prefault({}),
  });
}

/** The full schema: shape plus the cross-field rules. */
export function answersSchema(catalog: Catalog, o: RuleOptions = {}) {
  return answersObjectSchema(catalog).superRefine((a, ctx) => {
    for (const p of checkCrossFieldRules(a, catalog, o))
      ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });
}

export type Answers = z.output<ReturnType<typeof answersObjectSchema>>;
export type AnswersInput = z.input<ReturnType<typeof answersObjectSchema>>;
export type Host = Answers['hosts'][number];
export type SshSettings = Answers['ssh'];
export type SshOverride = z.output<typeof sshOverrideSchema>;
export type LoadBalancer = NonNullable<Answers['loadBalancer']>;
export type Role = Host['role'];
