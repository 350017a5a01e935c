// The host operating systems the lab simulates: one for each row of the catalog's `operatingSystems`
// (the README's "Supported hosts"). Each says what a host of that OS shows the tool: /etc/os-release,
// the package manager its family uses, and the firewall it runs out of the box.

export interface LabOsSpec {
  /** What `npm run lab -- up --os` takes, and what the lab prints: rocky-9, ubuntu-24.04, … */
  key: string;
  /** /etc/os-release */
  id: string;
  idLike: string;
  versionId: string;
  prettyName: string;
  codename?: string;
  family: 'rhel' | 'debian';
  /** The firewall running on a fresh host: firewalld (EL), ufw (Ubuntu, enabled here), none (Debian). */
  firewall: 'firewalld' | 'ufw' | 'none';
}

const el = (id: string, name: string, versionId: string, suffix = ''): LabOsSpec => ({
  key: `${id}-${versionId.split('.')[0]}`,
  id,
  idLike: id === 'rhel' ? 'fedora' : 'rhel centos fedora',
  versionId,
  prettyName: `${name} ${versionId}${suffix}`,
  family: 'rhel',
  firewall: 'firewalld',
});

const deb = (id: 'ubuntu' | 'debian', versionId: string, codename: string, pretty: string): LabOsSpec => ({
  key: `${id}-${versionId}`,
  id,
  idLike: id === 'ubuntu' ? 'debian' : '',
  versionId,
  prettyName: pretty,
  codename,
  family: 'debian',
  firewall: id === 'ubuntu' ? 'ufw' : 'none',
});

/**
 * In the order a mixed lab hands them out, families interleaved: the seed's five hosts get the first
 * five (both families, both package managers, all three firewalls), a second lab `mixed+5` the rest.
 */
export const LAB_OSES: readonly LabOsSpec[] = [
  el('rocky', 'Rocky Linux', '9.6', ' (Blue Onyx)'),
  deb('ubuntu', '24.04', 'noble', 'Ubuntu 24.04.3 LTS'),
  el('almalinux', 'AlmaLinux', '10.0', ' (Purple Lion)'),
  deb('debian', '12', 'bookworm', 'Debian GNU/Linux 12 (bookworm)'),
  el('rhel', 'Red Hat Enterprise Linux', '9.6', ' (Plow)'),
  deb('ubuntu', '22.04', 'jammy', 'Ubuntu 22.04.5 LTS'),
  el('rocky', 'Rocky Linux', '10.0', ' (Red Quartz)'),
  deb('debian', '13', 'trixie', 'Debian GNU/Linux 13 (trixie)'),
  el('almalinux', 'AlmaLinux', '9.6', ' (Sage Margay)'),
  el('rhel', 'Red Hat Enterprise Linux', '10.0', ' (Coughlan)'),
];

/** Short names the lab has always taken. */
const ALIASES: Record<string, string> = { rocky: 'rocky-9', ubuntu: 'ubuntu-24.04' };

export function labOs(key: string): LabOsSpec {
  const spec = LAB_OSES.find((o) => o.key === (ALIASES[key] ?? key));
  if (!spec) throw new Error(`unknown lab OS "${key}": use one of ${LAB_OSES.map((o) => o.key).join(', ')}`);
  return spec;
}

/** /etc/os-release of a lab host. */
export function osRelease(o: LabOsSpec): string {
  return [
    `PRETTY_NAME="${o.prettyName}"`,
    `NAME="${o.prettyName.replace(/ \d.*$/, '')}"`,
    `ID=${o.id}`,
    ...(o.idLike ? [`ID_LIKE="${o.idLike}"`] : []),
    `VERSION_ID="${o.versionId}"`,
    ...(o.codename ? [`VERSION_CODENAME=${o.codename}`] : []),
    '',
  ].join('\n');
}
