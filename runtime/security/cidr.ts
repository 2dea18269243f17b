/** IP and CIDR matching for `ipBlocks`, `remoteIpBlocks` and `source.ip`-like conditions. */
import * as net from 'net';

/** A compiled address set. */
export type AddressMatcher = (address: string | undefined) => boolean;

/** Adds `10.0.0.0/8`, `::1/128` or a single address to `list`; false when the entry is invalid. */
function addTo(list: net.BlockList, entry: string): boolean {
  const slash = entry.indexOf('/');
  const ip = slash < 0 ? entry : entry.slice(0, slash);
  const family = net.isIP(ip);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash < 0) {
    list.addAddress(ip, type);
    return true;
  }
  const bitsText = entry.slice(slash + 1);
  const bits = Number(bitsText);
  if (!/^\d+$/.test(bitsText) || bits > (family === 4 ? 32 : 128)) return false;
  list.addSubnet(ip, bits, type);
  return true;
}

/** Compiles a list of addresses/CIDRs; the errors name each invalid entry. */
export function addressMatcher(entries: readonly string[]): { matcher: AddressMatcher; invalid: string[] } {
  const list = new net.BlockList();
  const invalid = entries.filter((e) => !addTo(list, e.trim()));
  const matcher: AddressMatcher = (address) => {
    if (address === undefined) return false;
    let a = address;
    // IPv4-mapped IPv6 (`::ffff:10.0.0.1`, as Node reports IPv4 peers on dual-stack sockets).
    if (a.startsWith('::ffff:') && net.isIPv4(a.slice(7))) a = a.slice(7);
    const family = net.isIP(a);
    if (family === 0) return false;
    return list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  };
  return { matcher, invalid };
}
