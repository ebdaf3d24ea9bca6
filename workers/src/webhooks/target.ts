// Where a webhook may be delivered: public unicast addresses only (outside development).
// The database refuses such URLs at registration (private.webhook_url_problem); here the
// name is resolved and every address it resolves to is checked, and the connection is
// made to the checked address (the request's `lookup`), so a name that resolves to a
// public address at registration and to 127.0.0.1 at delivery (DNS rebinding) is refused.
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export class TargetRefused extends Error {}

/** Why an address may not be connected to (its ipaddr.js range), or null for public unicast. */
export function forbiddenRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

export type PinnedTarget = { url: URL; address: string; family: 4 | 6 };

/**
 * Resolves the URL's host and returns the address to connect to. Throws TargetRefused
 * when the URL is not https (unless allowInsecure) or any resolved address is not public
 * unicast (unless allowInsecure).
 */
export async function resolveTarget(
  rawUrl: string,
  options: { allowInsecure: boolean; resolve: Resolver },
): Promise<PinnedTarget> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new TargetRefused('the URL is malformed');
  }
  if (url.protocol !== 'https:' && !(options.allowInsecure && url.protocol === 'http:')) {
    throw new TargetRefused('webhook URLs must use https');
  }
  if (url.username || url.password) throw new TargetRefused('URLs with credentials are refused');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses: LookupAddress[] = ipaddr.isValid(host)
    ? [{ address: host, family: host.includes(':') ? 6 : 4 }]
    : await options.resolve(host).catch((error: unknown) => {
        throw new TargetRefused(`could not resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      });
  if (addresses.length === 0) throw new TargetRefused(`${host} has no address`);
  if (!options.allowInsecure) {
    for (const { address } of addresses) {
      const range = forbiddenRange(address);
      if (range) throw new TargetRefused(`${host} resolves to ${address} (${range}), which is not a public address`);
    }
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
