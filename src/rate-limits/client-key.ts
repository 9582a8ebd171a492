import ipaddr from 'ipaddr.js';

/**
 * What a per-address limit counts: an IPv4 address (IPv4-mapped IPv6 included), or the /64 an
 * IPv6 address belongs to. One subscriber or host is routinely given a whole /64, so counting
 * single IPv6 addresses would hand each client 2^64 fresh limits.
 */
export function clientKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${parsed.toString()}/64`).toString()}/64`;
}
