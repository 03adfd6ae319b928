import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses that are not on the public internet (RFC 6890 special-purpose registries and
 * their kin): loopback, private, link-local, shared, documentation, benchmarking,
 * multicast, reserved, and the IPv6 forms that embed or tunnel to such addresses.
 */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}
// Not `::ffff:0:0/96` here: a BlockList applies such a rule to every IPv4 address. Mapped
// addresses are checked as the IPv4 address they carry (`isPublicAddress`).

/** IPv6 global unicast (2000::/3): every other IPv6 address is special. */
const GLOBAL_UNICAST = new BlockList();
GLOBAL_UNICAST.addSubnet('2000::', 3, 'ipv6');

/** Whether `address` (an IPv4 or IPv6 literal) is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    // An IPv4-mapped address is its IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1]) return isPublicAddress(mapped[1]);
    return GLOBAL_UNICAST.check(address, 'ipv6') && !NOT_PUBLIC.check(address, 'ipv6');
  }
  return !NOT_PUBLIC.check(address, 'ipv4');
}

/** Where a webhook may be sent: in production only `https` to public addresses. */
export interface AddressPolicy {
  production: boolean;
}

export class UnsafeWebhookTarget extends Error {
  override readonly name = 'UnsafeWebhookTarget';
}

/** Why `url` may not be a webhook's URL under `policy`, or null when it may (before any DNS). */
export function urlProblem(url: string, policy: AddressPolicy): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && !policy.production)) {
    return policy.production ? 'must be an https URL' : 'must be an http or https URL';
  }
  if (parsed.username || parsed.password) return 'must not carry credentials';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (policy.production && (host === 'localhost' || host.endsWith('.localhost'))) return 'must be a public address';
  if (policy.production && isIP(host) !== 0 && !isPublicAddress(host)) return 'must be a public address';
  return null;
}

/**
 * Resolves `hostname` for a delivery: every address it resolves to must be public in
 * production (one private answer could be the one used). The caller connects to the
 * address returned, so a DNS answer that changes after the check is never followed.
 */
export async function resolveTarget(
  hostname: string,
  policy: AddressPolicy,
): Promise<{ address: string; family: number }> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) !== 0 ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true });
  const first = addresses[0];
  if (!first) throw new UnsafeWebhookTarget(`${host} does not resolve`);
  if (policy.production) {
    const blocked = addresses.find((entry) => !isPublicAddress(entry.address));
    if (blocked) throw new UnsafeWebhookTarget(`${host} resolves to a non-public address (${blocked.address})`);
  }
  return first;
}
