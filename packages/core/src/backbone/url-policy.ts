import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { SourceNotAllowedError } from './errors.js';

let internalNets: BlockList | undefined;

/** The internal address ranges, built on first use (nothing of node:net runs at import: edge bundles load this module). */
function internal(): BlockList {
  if (internalNets) return internalNets;
  const nets = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 3],
  ] as const) {
    nets.addSubnet(net, prefix, 'ipv4');
  }
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const) {
    nets.addSubnet(net, prefix, 'ipv6');
  }
  internalNets = nets;
  return nets;
}

/**
 * True for loopback, private, link-local, carrier-grade NAT, multicast and unspecified addresses
 * (IPv4-mapped IPv6 addresses are checked as IPv4).
 *
 * @example
 * ```ts
 * isInternalAddress('127.0.0.1'); // true
 * isInternalAddress('93.184.216.34'); // false
 * ```
 */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return internal().check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return internal().check(address, family === 4 ? 'ipv4' : 'ipv6');
}

async function defaultLookup(hostname: string): Promise<string[]> {
  const all = await dnsLookup(hostname, { all: true, verbatim: true });
  return all.map((a) => a.address);
}

/**
 * Checks a model URL against an allow-list of origins before anything is fetched:
 * the origin must be listed; plain http is only accepted for an explicitly listed loopback literal
 * (`http://127.0.0.1:port`, `http://[::1]:port`); a host name must not resolve to an internal
 * (loopback, private, link-local) address — only an IP literal named in the allow-list may be internal.
 * Returns the parsed URL.
 *
 * @example
 * ```ts
 * const url = await checkModelUrl('https://models.example.com/m/model.json', ['https://models.example.com']);
 * ```
 */
export async function checkModelUrl(
  raw: string,
  allow: string[],
  lookup: (hostname: string) => Promise<string[]> = defaultLookup,
): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SourceNotAllowedError(`not a valid URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SourceNotAllowedError(`scheme ${url.protocol} is not allowed (https only)`);
  }
  if (url.username || url.password) throw new SourceNotAllowedError('URLs with credentials are not allowed');
  const origins = new Set(
    allow.map((entry) => {
      try {
        return new URL(entry).origin;
      } catch {
        throw new SourceNotAllowedError(`invalid allow-list entry ${JSON.stringify(entry)}`);
      }
    }),
  );
  if (!origins.has(url.origin))
    throw new SourceNotAllowedError(`origin ${url.origin} is not in the allow-list`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host) !== 0;
  if (url.protocol === 'http:' && !(literal && (host === '127.0.0.1' || host === '::1'))) {
    throw new SourceNotAllowedError(`plain http is only allowed for 127.0.0.1 (got ${url.origin})`);
  }
  if (!literal) {
    let addresses: string[];
    try {
      addresses = await lookup(host);
    } catch {
      throw new SourceNotAllowedError(`cannot resolve ${host}`);
    }
    const bad = addresses.find(isInternalAddress);
    if (addresses.length === 0 || bad !== undefined) {
      throw new SourceNotAllowedError(
        `${host} resolves to an internal address (${bad ?? 'none'}); list the IP itself to allow it`,
      );
    }
  }
  return url;
}
