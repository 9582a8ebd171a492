import { isIP } from 'node:net';
import { ValidateBy } from 'class-validator';

/** What Fastify's `trustProxy` takes: the proxies' addresses and CIDRs, or a hop count. */
export type TrustProxy = string[] | number;

// proxy-addr (behind Fastify's trustProxy) also knows these ranges by name.
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrCidr(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * `TRUST_PROXY`: a hop count (`1`) or comma-separated addresses/CIDRs (`127.0.0.1,10.0.0.0/8`).
 * Undefined when the value is neither, for the schema to reject. `true` (trust everyone) is
 * refused on purpose: any client could then name its own address.
 */
export function parseTrustProxy(value: string): TrustProxy | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops >= 1 && hops <= 100 ? hops : undefined;
  }
  const entries = text.split(',').map((e) => e.trim());
  return entries.every(isAddressOrCidr) ? entries : undefined;
}

/** The env schema's check of `TRUST_PROXY`. */
export function IsTrustProxy(): PropertyDecorator {
  return ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseTrustProxy(value) !== undefined,
      defaultMessage: () => 'must be a hop count (1..100) or comma-separated IP addresses/CIDRs, e.g. 127.0.0.1,10.0.0.0/8',
    },
  });
}
