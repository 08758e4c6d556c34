// The mock console's fleet: hand-written rows for every real-world case the connector must get right,
// expanded into full agent objects shaped like a real console's (about 60 fields each).
// Timestamps are relative to `now`, so "active 5 minutes ago" stays true whenever the mock runs.

export const ACCOUNT = { id: '113841926404', name: 'Acme Corp' };
export const SITES = {
  hq: { id: '1138463255859336', name: 'HQ' },
  branch: { id: '1138463255859447', name: 'Branch Offices' },
};
const GROUPS = {
  macos: { id: '126008949570', name: 'Mac Fleet' },
  windows: { id: '126008949569', name: 'Windows Clients' },
  windows_legacy: { id: '126008949569', name: 'Windows Clients' },
  linux: { id: '126008949571', name: 'Linux Servers' },
};
const OS = {
  mac: { osType: 'macos', osName: 'macOS', osRevision: '14.5 (23F79)', installerType: '.pkg', osArch: 'ARM64' },
  macIntel: { osType: 'macos', osName: 'macOS', osRevision: '13.6.7 (22G720)', installerType: '.pkg', osArch: '64 bit' },
  win: { osType: 'windows', osName: 'Windows 11 Pro', osRevision: '22631', installerType: '.msi', osArch: '64 bit' },
  win10: { osType: 'windows', osName: 'Windows 10 Pro', osRevision: '19044', installerType: '.msi', osArch: '64 bit' },
  winServer: { osType: 'windows', osName: 'Windows Server 2022 Standard', osRevision: '20348', installerType: '.msi', osArch: '64 bit' },
  win7: { osType: 'windows_legacy', osName: 'Windows 7 Professional', osRevision: '7601', installerType: '.exe', osArch: '64 bit' },
  linux: { osType: 'linux', osName: 'Linux', osRevision: 'Ubuntu 22.04.4 LTS 5.15.0-107-generic', installerType: '.deb', osArch: '64 bit' },
  rhel: { osType: 'linux', osName: 'Linux', osRevision: 'Red Hat Enterprise Linux 9.3 5.14.0-362.8.1.el9_3.x86_64', installerType: '.rpm', osArch: '64 bit' },
};

// One row per agent. Defaults: active, connected, healthy, agent 23.4.2.14, seen 3 minutes ago, site hq.
// `serial: undefined` leaves the key out entirely, as some consoles do for VMs.
export const ROWS = [
  // The PingOne DaVinci documentation's example device.
  { id: '1550901640146865256', serial: 'C02XK1ABJG5J', name: 'JDOE-MBP-2023', os: 'mac', model: 'Apple Inc. - MacBookPro18,3', type: 'laptop', user: 'jdoe' },
  // Substring look-alikes of C02XK1ABJG5J: the API filter returns them, exact matching must not.
  { id: '1550901640146865257', serial: 'C02XK1ABJG5', name: 'LAB-MBP-07', os: 'macIntel', model: 'Apple Inc. - MacBookPro16,1', type: 'laptop' },
  { id: '1550901640146865258', serial: 'C02XK1ABJG5JX', name: 'LAB-MBP-08', os: 'mac', model: 'Apple Inc. - MacBookPro18,3', type: 'laptop' },
  { id: '1550901640146865259', serial: 'XC02XK1ABJG5J', name: 'LAB-MBP-09', os: 'mac', model: 'Apple Inc. - MacBookPro18,3', type: 'laptop' },
  { id: '1550901640146865260', serial: 'c02xk1abjg5j', name: 'LAB-MBP-10', os: 'mac', model: 'Apple Inc. - MacBookPro18,3', type: 'laptop', note: 'same serial, other case' },
  // The healthy Dell laptop of the SumoLogic sample.
  { id: '148347195130', serial: 'FS6V1B3', name: 'FDLV0W3', os: 'win10', model: 'Dell Inc. - Latitude 3520', type: 'laptop', version: '22.3.2.23', user: 'heyleigh.leger' },
  // Reinstalled: the old agent decommissioned, the new one active. The active one must be chosen.
  { id: '1600000000000000101', serial: '5Q4Q7Y1', name: 'ACCT-LT-114', os: 'win', model: 'Dell Inc. - Latitude 5440', type: 'laptop', decommissioned: true, active: false, network: 'disconnected', lastActiveMinutes: 60 * 24 * 40 },
  { id: '1600000000000000102', serial: '5Q4Q7Y1', name: 'ACCT-LT-114', os: 'win', model: 'Dell Inc. - Latitude 5440', type: 'laptop' },
  // Two live agents on one serial (a cloned disk): the most recently active one is reported.
  { id: '1600000000000000201', serial: '87GBNY1', name: 'ENG-WS-22', os: 'win', model: 'Dell Inc. - Precision 3660', type: 'desktop', lastActiveMinutes: 600 },
  { id: '1600000000000000202', serial: '87GBNY1', name: 'ENG-WS-22-CLONE', os: 'win', model: 'Dell Inc. - Precision 3660', type: 'desktop', lastActiveMinutes: 2 },
  // Three decommissioned generations of one desktop.
  { id: '1600000000000000301', serial: '77NDZ12', name: 'RECEPTION-01', os: 'win10', model: 'Dell Inc. - OptiPlex 7090', type: 'desktop', decommissioned: true, active: false, network: 'disconnected', lastActiveMinutes: 60 * 24 * 400 },
  { id: '1600000000000000302', serial: '77NDZ12', name: 'RECEPTION-01', os: 'win10', model: 'Dell Inc. - OptiPlex 7090', type: 'desktop', decommissioned: true, active: false, network: 'disconnected', lastActiveMinutes: 60 * 24 * 200 },
  { id: '1600000000000000303', serial: '77NDZ12', name: 'RECEPTION-01', os: 'win10', model: 'Dell Inc. - OptiPlex 7090', type: 'desktop', decommissioned: true, active: false, network: 'disconnected', lastActiveMinutes: 60 * 24 * 90 },
  // Infected, with active threats; one reports its count as a string, as some consoles do.
  { id: '1700000000000000001', serial: 'C02FH1ZZQ05D', name: 'SALES-MBA-03', os: 'macIntel', model: 'Apple Inc. - MacBookAir9,1', type: 'laptop', infected: true, threats: 2, mitigation: 'protect' },
  { id: '1700000000000000002', serial: 'PC0X7R2K', name: 'FIN-TP-12', os: 'win', model: 'LENOVO - ThinkPad T14 Gen 3', type: 'laptop', infected: true, threats: '3', reboot: true },
  // Booleans and numbers as strings, and an osType the connector does not know (passed through).
  { id: '1700000000000000003', serial: 'MXL1234ABC', name: 'HP-KIOSK-02', os: 'win10', model: 'HP - EliteDesk 800 G6', type: 'desktop', stringBooleans: true, threats: '0' },
  { id: '1700000000000000004', serial: 'NXHQEAA00123', name: 'EDU-CHROMEBOOK-1', os: 'win', osTypeOverride: 'chromeos', osNameOverride: 'ChromeOS Flex', model: 'Acer - Chromebook 314', type: 'laptop', network: 'quarantined_by_policy' },
  // Threat reboot pending; disabled or corrupted agents.
  { id: '1700000000000000005', serial: 'C02ZW0XYMD6M', name: 'DESIGN-IMAC-4', os: 'macIntel', model: 'Apple Inc. - iMac20,1', type: 'desktop', reboot: true },
  { id: '1700000000000000006', serial: 'PF3KX9QZ', name: 'HR-TP-05', os: 'win', model: 'LENOVO - ThinkPad X1 Carbon Gen 11', type: 'laptop', opState: 'auto_fully_disabled' },
  { id: '1700000000000000007', serial: 'FVFHX2ABQ6L4', name: 'OPS-MBP-11', os: 'mac', model: 'Apple Inc. - MacBookPro18,1', type: 'laptop', opState: 'disabled_error' },
  // Decommissioned only; uninstalled; pending uninstall.
  { id: '1700000000000000008', serial: 'PF2XYZ01', name: 'OLD-TP-01', os: 'win10', model: 'LENOVO - ThinkPad T480', type: 'laptop', decommissioned: true, active: false, network: 'disconnected', lastActiveMinutes: 60 * 24 * 30 },
  { id: '1700000000000000009', serial: 'G8WN3Q2', name: 'TEMP-LT-09', os: 'win', model: 'Dell Inc. - Latitude 7440', type: 'laptop', uninstalled: true, active: false, network: 'disconnected', lastActiveMinutes: 60 * 24 * 3 },
  { id: '1700000000000000010', serial: 'H7KL2M3', name: 'TEMP-LT-10', os: 'win', model: 'Dell Inc. - Latitude 7440', type: 'laptop', pendingUninstall: true },
  // Stale: last seen days ago, disconnected; and one seen 2 hours ago but still "active".
  { id: '1700000000000000011', serial: 'C02DQ4KLMD6R', name: 'TRAVEL-MBP-2', os: 'macIntel', model: 'Apple Inc. - MacBookPro15,1', type: 'laptop', active: false, network: 'disconnected', lastActiveMinutes: 60 * 24 * 6 },
  { id: '1700000000000000012', serial: 'J9PQ8R7', name: 'FIELD-LT-12', os: 'win', model: 'Dell Inc. - Latitude 5450', type: 'laptop', lastActiveMinutes: 125, network: 'connecting' },
  // Old agent version; Windows 7 legacy.
  { id: '1700000000000000013', serial: 'CNU1234XYZ', name: 'LAB-HP-OLD', os: 'win10', model: 'HP - EliteBook 840 G5', type: 'laptop', version: '21.6.1.200' },
  { id: '1700000000000000014', serial: '2UA12345ZX', name: 'PLANT-FLOOR-7', os: 'win7', model: 'HP - Compaq Elite 8300', type: 'desktop', version: '4.1.6.118' },
  // Servers and VMs: null serial, no serial key at all, and VM-style serials with spaces, '+' and '/'.
  { id: '1800000000000000001', serial: null, name: 'ubuntu', os: 'linux', model: 'VMware, Inc. VMware Virtual Platform', type: 'server', cloud: { ESXI: {} } },
  { id: '1800000000000000002', serial: undefined, name: 'db-prod-02', os: 'rhel', model: 'Amazon EC2 - m6i.xlarge', type: 'server', cloud: { AWS: {} } },
  { id: '1800000000000000003', serial: 'VMware-56 4d fa 72 69 7a 39 13-aa 0e 17 06 9b 09 42 c8', name: 'build-agent-01', os: 'linux', model: 'VMware, Inc. VMware7,1', type: 'server' },
  { id: '1800000000000000004', serial: '0000-0012-3456-7890-1234-5678-90', name: 'HYPERV-APP-3', os: 'winServer', model: 'Microsoft Corporation - Virtual Machine', type: 'server' },
  { id: '1800000000000000005', serial: 'VM5vodACsc+k', name: 'ci-macos-vm-1', os: 'mac', model: 'VMware, Inc. - VMware20,1', type: 'desktop' },
  { id: '1800000000000000006', serial: 'VM5vodACsc/k', name: 'ci-macos-vm-2', os: 'mac', model: 'VMware, Inc. - VMware20,1', type: 'desktop' },
  { id: '1800000000000000007', serial: 20231107, name: 'NUC-SIGNAGE-1', os: 'linux', model: 'Intel - NUC11TNKi5', type: 'desktop', note: 'numeric serial' },
  // Firmware placeholders shared by several machines: never an identity.
  { id: '1900000000000000001', serial: 'To be filled by O.E.M.', name: 'WHITEBOX-01', os: 'win10', model: 'To be filled by O.E.M. - To be filled by O.E.M.', type: 'desktop' },
  { id: '1900000000000000002', serial: 'To Be Filled By O.E.M.', name: 'WHITEBOX-02', os: 'win10', model: 'ASRock - B550M', type: 'desktop' },
  { id: '1900000000000000003', serial: 'Default string', name: 'MINI-PC-03', os: 'win', model: 'Default string - Default string', type: 'desktop' },
  { id: '1900000000000000004', serial: 'System Serial Number', name: 'ASUS-WS-4', os: 'win10', model: 'ASUS - System Product Name', type: 'desktop' },
  // Serials that are hostile to naive query building.
  { id: '1950000000000000001', serial: 'AB&limit=1', name: 'QA-HOSTILE-1', os: 'linux', model: 'QEMU - Standard PC (Q35 + ICH9, 2009)', type: 'server' },
  { id: '1950000000000000002', serial: 'C02 X+Y#1', name: 'QA-HOSTILE-2', os: 'mac', model: 'Apple Inc. - Virtual Machine', type: 'desktop' },
  { id: '1950000000000000003', serial: 'SN,WITH,COMMA', name: 'QA-HOSTILE-3', os: 'linux', model: 'QEMU - Standard PC (i440FX + PIIX, 1996)', type: 'server' },
  // A serial padded with spaces by its BIOS.
  { id: '1950000000000000004', serial: '  PADDED42  ', name: 'OLD-BIOS-PC', os: 'win10', model: 'FUJITSU - ESPRIMO P558', type: 'desktop' },
  // Branch site, the rest of an ordinary fleet.
  { id: '2000000000000000001', serial: 'C02G3KLMQ6L4', name: 'NYC-MBP-01', os: 'mac', model: 'Apple Inc. - MacBookPro18,3', type: 'laptop', site: 'branch' },
  { id: '2000000000000000002', serial: 'FVFG7HJKQ05N', name: 'NYC-MBA-02', os: 'mac', model: 'Apple Inc. - Mac14,2', type: 'laptop', site: 'branch' },
  { id: '2000000000000000003', serial: 'HXKQ2P3', name: 'NYC-LT-03', os: 'win', model: 'Dell Inc. - Latitude 7440', type: 'laptop', site: 'branch' },
  { id: '2000000000000000004', serial: 'PF4AB12C', name: 'NYC-TP-04', os: 'win', model: 'LENOVO - ThinkPad T14s Gen 4', type: 'laptop', site: 'branch', network: 'disconnected', lastActiveMinutes: 45 },
  { id: '2000000000000000005', serial: '5CG3421XYZ', name: 'NYC-HP-05', os: 'win', model: 'HP - EliteBook 840 G10', type: 'laptop', site: 'branch' },
  { id: '2000000000000000006', serial: 'C02HJ8KLQ05Q', name: 'SF-MBP-06', os: 'mac', model: 'Apple Inc. - Mac15,7', type: 'laptop', site: 'branch' },
  { id: '2000000000000000007', serial: 'MJ0A1B2C', name: 'SF-TP-07', os: 'win', model: 'LENOVO - ThinkPad P16s', type: 'laptop', site: 'branch', version: '23.10.1.1' },
  { id: '2000000000000000008', serial: 'CZC2345KLM', name: 'SF-HP-08', os: 'win', model: 'HP - Z2 Tower G9', type: 'desktop', site: 'branch' },
  { id: '2000000000000000009', serial: 'FVFJ9K8LQ6L9', name: 'LDN-MBA-09', os: 'mac', model: 'Apple Inc. - Mac14,15', type: 'laptop', site: 'branch' },
  { id: '2000000000000000010', serial: '3KZ8W53', name: 'LDN-LT-10', os: 'win', model: 'Dell Inc. - Latitude 9440', type: 'laptop', site: 'branch' },
  { id: '2000000000000000011', serial: 'GH7TR21', name: 'HQ-LT-11', os: 'win', model: 'Dell Inc. - XPS 13 9340', type: 'laptop' },
  { id: '2000000000000000012', serial: 'C02JK9LMQ05P', name: 'HQ-MBP-12', os: 'mac', model: 'Apple Inc. - Mac15,6', type: 'laptop' },
  { id: '2000000000000000013', serial: 'PW0B3C4D', name: 'HQ-TP-13', os: 'win', model: 'LENOVO - ThinkPad X13 Gen 4', type: 'laptop' },
  { id: '2000000000000000014', serial: '8CC3301ABC', name: 'HQ-HP-14', os: 'win', model: 'HP - ProDesk 400 G9', type: 'desktop' },
  { id: '2000000000000000015', serial: 'R9TX40ABCDE', name: 'HQ-SURFACE-15', os: 'win', model: 'Microsoft Corporation - Surface Laptop 5', type: 'laptop' },
  { id: '2000000000000000016', serial: 'S1MOCK0016', name: 'hq-k8s-node-1', os: 'linux', model: 'Dell Inc. - PowerEdge R650', type: 'server' },
];

const iso = (ms) => new Date(ms).toISOString().replace('Z', '000Z'); // microseconds, as consoles write
const isoNoZone = (ms) => new Date(ms).toISOString().replace('Z', '000');
const hex = (seed, len) => {
  let out = '';
  let x = BigInt.asUintN(64, BigInt(seed) * 6364136223846793005n + 1442695040888963407n);
  while (out.length < len) {
    x = BigInt.asUintN(64, x * 6364136223846793005n + 1442695040888963407n);
    out += (x >> 33n).toString(16).padStart(8, '0');
  }
  return out.slice(0, len);
};

/** Expands one row into a full agent object as the console would send it. */
export function agentFromRow(row, now) {
  const os = OS[row.os];
  const site = SITES[row.site ?? 'hq'];
  const group = GROUPS[os.osType];
  const lastActive = now - (row.lastActiveMinutes ?? 3) * 60_000;
  const created = now - 1000 * 60 * 60 * 24 * (200 + (Number(row.id.slice(-3)) % 300));
  const active = row.active ?? true;
  const bool = (v) => (row.stringBooleans ? (v ? 'True' : 'False') : v);
  const agent = {
    accountId: ACCOUNT.id,
    accountName: ACCOUNT.name,
    activeDirectory: { computerDistinguishedName: null, computerMemberOf: [], lastUserDistinguishedName: null, lastUserMemberOf: [] },
    activeThreats: row.threats ?? 0,
    agentVersion: row.version ?? '23.4.2.14',
    allowRemoteShell: bool(os.osType !== 'linux'),
    appsVulnerabilityStatus: 'up_to_date',
    cloudProviders: row.cloud ?? {},
    computerName: row.name,
    consoleMigrationStatus: 'N/A',
    coreCount: row.type === 'server' ? 8 : 4,
    cpuCount: 1,
    cpuId: os.osArch === 'ARM64' ? 'Apple M2 Pro' : '13th Gen Intel(R) Core(TM) i7-1365U',
    createdAt: iso(created),
    detectionState: 'full_mode',
    domain: os.osType === 'macos' ? 'unknown' : 'ACME',
    encryptedApplications: bool(os.osType !== 'linux'),
    externalId: '',
    externalIp: `203.0.113.${Number(row.id.slice(-2)) % 250}`,
    firewallEnabled: bool(true),
    firstFullModeTime: isoNoZone(created + 600_000),
    groupId: group.id,
    groupIp: '203.0.113.x',
    groupName: group.name,
    id: row.id,
    inRemoteShellSession: bool(false),
    infected: bool(row.infected ?? false),
    installerType: os.installerType,
    isActive: bool(active),
    isDecommissioned: bool(row.decommissioned ?? false),
    isPendingUninstall: bool(row.pendingUninstall ?? false),
    isUninstalled: bool(row.uninstalled ?? false),
    isUpToDate: bool(!row.version),
    lastActiveDate: iso(lastActive),
    lastIpToMgmt: `10.20.${Number(row.id.slice(-3)) % 250}.17`,
    lastLoggedInUserName: row.user ?? (row.type === 'server' ? 'root' : row.name.toLowerCase()),
    licenseKey: '',
    locationEnabled: bool(true),
    locationType: 'fallback',
    locations: [{ id: '101284689332', name: 'Fallback', scope: 'global' }],
    machineType: row.type,
    mitigationMode: row.mitigation ?? 'protect',
    mitigationModeSuspicious: 'detect',
    modelName: row.model,
    networkInterfaces: [{
      gatewayIp: '10.20.0.1', gatewayMacAddress: 'f8:f8:f8:00:00:01', id: `${row.id.slice(0, 11)}1`,
      inet: [`10.20.${Number(row.id.slice(-3)) % 250}.17`], inet6: ['fe80::1c2b:3a4d:5e6f:7081'],
      name: os.osType === 'macos' ? 'en0' : os.osType === 'linux' ? 'eth0' : 'Wi-Fi',
      physical: `3c:22:fb:${hex(row.id, 6).match(/../g).join(':')}`,
    }],
    networkQuarantineEnabled: bool(false),
    networkStatus: row.network ?? 'connected',
    operationalState: row.opState ?? 'na',
    operationalStateExpiration: null,
    osArch: os.osArch,
    osName: row.osNameOverride ?? os.osName,
    osRevision: os.osRevision,
    osStartTime: new Date(lastActive - 3_600_000 * 5).toISOString().replace(/\.\d+Z$/, 'Z'),
    osType: row.osTypeOverride ?? os.osType,
    osUsername: null,
    rangerStatus: 'Enabled',
    rangerVersion: '23.4.1.2',
    registeredAt: iso(created - 8000),
    remoteProfilingState: 'disabled',
    remoteProfilingStateExpiration: null,
    scanAbortedAt: null,
    scanFinishedAt: iso(created + 3_700_000),
    scanStartedAt: iso(created + 900_000),
    scanStatus: 'finished',
    siteId: site.id,
    siteName: site.name,
    storageName: null,
    storageType: null,
    tags: { sentinelone: [] },
    threatRebootRequired: bool(row.reboot ?? false),
    totalMemory: row.type === 'server' ? 32768 : 16384,
    updatedAt: iso(lastActive - 120_000),
    userActionsNeeded: row.reboot ? ['reboot_needed'] : [],
    uuid: hex(row.id, 32),
  };
  if (row.serial !== undefined) agent.serialNumber = row.serial;
  return Object.fromEntries(Object.entries(agent).sort(([a], [b]) => a.localeCompare(b)));
}

/** The whole fleet at time `now` (milliseconds since the epoch). */
export function buildFleet(now = Date.now()) {
  return ROWS.map((row) => agentFromRow(row, now));
}

// A deterministic PRNG (mulberry32): the same index always yields the same agent.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Agent `i` of a seeded fleet of any size, with the fixture set's mix of real-world cases: about 1% null
 * serials, 0.5% placeholders, 1% reinstalls (a decommissioned twin sharing the serial of agent i-1),
 * 2% infected, 1% waiting for a threat reboot, 1% disabled, 3% stale, 2% string booleans.
 */
export function seededAgent(i, now, seed = 1) {
  const r = rng(seed * 1_000_003 + i);
  const template = ROWS[Math.floor(r() * 20) + 44] ?? ROWS[0];
  const roll = r();
  const row = {
    ...template,
    id: String(3_000_000_000_000_000_000n + BigInt(i)),
    serial: `SN${i.toString(36).toUpperCase().padStart(7, '0')}`,
    name: `FLEET-${String(i).padStart(6, '0')}`,
    site: r() < 0.7 ? 'hq' : 'branch',
    lastActiveMinutes: 1 + Math.floor(r() * 20),
  };
  delete row.note;
  if (roll < 0.01) row.serial = null;
  else if (roll < 0.015) row.serial = 'To be filled by O.E.M.';
  else if (roll < 0.025 && i > 0) Object.assign(row, { serial: `SN${(i - 1).toString(36).toUpperCase().padStart(7, '0')}`, decommissioned: true, active: false, network: 'disconnected', lastActiveMinutes: 60 * 24 * 20 });
  else if (roll < 0.045) Object.assign(row, { infected: true, threats: 1 + Math.floor(r() * 3) });
  else if (roll < 0.055) row.reboot = true;
  else if (roll < 0.065) row.opState = 'auto_fully_disabled';
  else if (roll < 0.095) Object.assign(row, { active: false, network: 'disconnected', lastActiveMinutes: 60 * 24 * 3 });
  else if (roll < 0.115) row.stringBooleans = true;
  return agentFromRow(row, now);
}

/** A lazy fleet of `size` seeded agents: pages are generated on demand, never the whole fleet at once. */
export function seededFleet(size, now = Date.now(), seed = 1) {
  return { size, at: (i) => seededAgent(i, now, seed) };
}
