import { BlockList, isIP, isIPv4 } from 'node:net';

/**
 * Which kind of network an IP address sits in, for the outbound guard: an address a partner's
 * URL may not make Causeway reach (its own host, the cloud's metadata service, the LAN behind the
 * hub) unless the config allows it. IPv4 carried inside IPv6 (::ffff:10.0.0.1, the NAT64 prefix)
 * is judged as the IPv4 address it reaches.
 */
export type AddressClass =
  | 'metadata service'
  | 'loopback'
  | 'unspecified'
  | 'link-local'
  | 'private'
  | 'carrier-grade NAT'
  | 'multicast'
  | 'reserved';

/** Most specific first: 169.254.169.254 is named before the link-local range it sits in. */
const RANGES: ReadonlyArray<[AddressClass, string, number, 'ipv4' | 'ipv6']> = [
  ['metadata service', '169.254.169.254', 32, 'ipv4'],
  ['metadata service', 'fd00:ec2::254', 128, 'ipv6'],
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['carrier-grade NAT', '100.64.0.0', 10, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
];

const lists = RANGES.map(([kind, net, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return { kind, list, family };
});

/** The IPv4 address an IPv6 address carries (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96), if any. */
export function embeddedIPv4(address: string): string | undefined {
  const m = /^(?:::ffff:|64:ff9b::)(?:0:)?((?:\d{1,3}\.){3}\d{1,3})$/i.exec(address);
  if (m) return m[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** The class of a non-public address, or undefined for an address on the public internet. */
export function classifyAddress(address: string): AddressClass | undefined {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(ip);
  if (family === 0) throw new TypeError(`not an IP address: ${address}`);
  const v4 = family === 6 ? embeddedIPv4(ip) : ip;
  const judged = v4 ?? ip;
  const type = isIPv4(judged) ? 'ipv4' : 'ipv6';
  return lists.find((l) => l.family === type && l.list.check(judged, type))?.kind;
}

/** A CIDR the config allows ("10.20.0.0/16", "fd12::/48", or one address). */
export function parseCidr(cidr: string): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [network, bits, extra] = cidr.trim().split('/');
  if (extra !== undefined || !network) return undefined;
  const kind = isIP(network);
  if (kind === 0) return undefined;
  const max = kind === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { network, prefix, family: kind === 4 ? 'ipv4' : 'ipv6' };
}

/** Networks the config lets outbound requests reach though they are not public. */
export class AllowedNetworks {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const net = parseCidr(cidr);
      if (!net) throw new TypeError(`not a network in CIDR form: ${cidr}`);
      this.list.addSubnet(net.network, net.prefix, net.family);
    }
    this.empty = cidrs.length === 0;
  }

  has(address: string): boolean {
    if (this.empty) return false;
    const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    const v4 = isIP(ip) === 6 ? embeddedIPv4(ip) : undefined;
    if (v4 && this.list.check(v4, 'ipv4')) return true;
    return this.list.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
  }
}
