/**
 * The client's address, as a keyed hash only: HMAC-SHA256 with a secret the instances share, so
 * the same address always gives the same hash (limits and bans hold on it) while the address
 * itself is never stored or logged. IPv6 is hashed by its /64 (one subscriber's block); an
 * IPv4-mapped IPv6 address as the IPv4 address it is.
 */
import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * Where the client's address is: the socket's peer, or behind `depth` trusted proxies the
 * `depth`-th address from the right of X-Forwarded-For (each proxy appends the address it saw;
 * anything further left was written by the client and proves nothing).
 */
export function clientAddress(forwardedFor: string | null, peer: string, depth: number): string {
  if (depth <= 0 || !forwardedFor) return peer;
  const hops = forwardedFor
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return hops[hops.length - depth] ?? hops[0] ?? peer;
}

/** The part of an address that names one subscriber. */
export function subscriberOf(address: string): string {
  const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i)?.[1];
  if (mapped) return mapped;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address.slice(0, 64);
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}

/** `a_` and 22 characters (128 bits) of the keyed hash. */
export function addressHash(secret: string, address: string): string {
  const mac = createHmac('sha256', secret)
    .update(`address:${subscriberOf(address)}`)
    .digest('base64url');
  return `a_${mac.slice(0, 22)}`;
}
