// Who a request counts against, for rate limits and Idempotency-Key scopes: the API key,
// else the signed-in user, else (anonymous) the client's IP address.
//
// The client IP is the socket's peer address. X-Forwarded-For is believed only when that
// peer is a configured trusted proxy (TRUSTED_PROXIES); the header is then read from the
// right, skipping further trusted proxies, and the first untrusted hop is the client. A
// client cannot spoof its bucket by sending X-Forwarded-For itself: an untrusted peer's
// header is ignored, and a trusted proxy appends the real peer on the right.
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { Caller } from './types.ts';

function normalize(ip: string): string {
  const trimmed = ip.trim();
  // IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped ? (mapped[1] as string) : trimmed.toLowerCase();
}

function family(ip: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(ip);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/** A function giving a request's client IP, given the trusted proxies (IPs or CIDRs). */
export function createClientIp(trustedProxies: readonly string[]): (req: IncomingMessage) => string {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address = '', bits] = entry.split('/');
    const type = family(address);
    if (!type) throw new Error(`TRUSTED_PROXIES: ${entry} is not an IP address or CIDR`);
    if (bits === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, Number(bits), type);
  }
  const isTrusted = (ip: string) => {
    const type = family(ip);
    return type !== undefined && trusted.check(ip, type);
  };

  return (req) => {
    let ip = normalize(req.socket.remoteAddress ?? '');
    if (trustedProxies.length === 0 || !isTrusted(ip)) return ip || 'unknown';
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map(normalize).filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] as string;
      // A malformed entry ends the walk: everything left of it is unverifiable.
      if (!family(hop)) break;
      ip = hop;
      if (!isTrusted(hop)) break;
    }
    return ip;
  };
}

export type CallerScope = {
  /** The kind of bucket, also the RateLimit policy name. */
  kind: 'api-key' | 'user' | 'anon';
  /** Stable identity: "key:<id>", "user:<uuid>" or "ip:<address>". Never a secret. */
  id: string;
};

export function callerScope(caller: Caller | undefined, ip: string): CallerScope {
  if (caller?.apiKeyId) return { kind: 'api-key', id: `key:${caller.apiKeyId}` };
  const sub = caller?.claims.sub;
  if (caller && caller.via !== 'anon' && typeof sub === 'string' && sub) return { kind: 'user', id: `user:${sub}` };
  return { kind: 'anon', id: `ip:${ip}` };
}
