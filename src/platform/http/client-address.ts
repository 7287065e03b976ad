import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';

/**
 * Which peers are reverse proxies whose `X-Forwarded-For` is believed. Anyone can send that
 * header: it says something only when a proxy we run appended to it.
 */
export interface TrustedProxies {
  has(address: string): boolean;
}

/** An address as counters and the audit log keep it: IPv4-mapped IPv6 as IPv4, IPv6 in lower case. */
export function normaliseAddress(raw: string): string {
  let address = raw.trim();
  // `[2001:db8::1]:443`, `198.51.100.7:51234`: some proxies append the client's port.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  address = address.toLowerCase();
  if (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4) address = address.slice(7);
  return address;
}

/** Problems of a comma-separated list of addresses and CIDR blocks (`10.0.0.0/8, ::1`), in French. */
export function addressListProblems(list: string): string[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .flatMap((entry) => {
      const [address = '', bits, ...rest] = entry.split('/');
      const family = isIP(normaliseAddress(address));
      const prefixOk =
        bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
      return family === 0 || !prefixOk || rest.length > 0
        ? [`« ${entry} » n'est ni une adresse IP ni un bloc CIDR (10.0.0.0/8)`]
        : [];
    });
}

/** The trusted proxies of a setting: comma-separated addresses and CIDR blocks; empty trusts none. */
export function trustedProxies(...lists: string[]): TrustedProxies {
  const blocks = new BlockList();
  let empty = true;
  for (const list of lists) {
    for (const entry of list.split(',').map((part) => part.trim())) {
      if (!entry || addressListProblems(entry).length > 0) continue;
      const [raw = '', bits] = entry.split('/');
      const address = normaliseAddress(raw);
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) blocks.addAddress(address, type);
      else blocks.addSubnet(address, Number(bits), type);
      empty = false;
    }
  }
  return {
    has(address) {
      if (empty) return false;
      const normalised = normaliseAddress(address);
      const family = isIP(normalised);
      return family !== 0 && blocks.check(normalised, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

type RequestLike = Pick<IncomingMessage, 'headers'> & { socket?: { remoteAddress?: string } };

/** The TCP peer of a request: the client itself, or the reverse proxy in front of us. */
export function peerAddress(request: RequestLike | undefined): string {
  return normaliseAddress(request?.socket?.remoteAddress ?? '');
}

/**
 * The address of the client that made a request: the TCP peer, unless it is a trusted proxy; then
 * `X-Forwarded-For` read from the right (each proxy appends the address it received from), the
 * first entry that is not itself a trusted proxy. Entries left of it are the client's own words.
 * An entry that is no address stops the walk at the proxy that wrote it.
 */
export function clientAddress(request: RequestLike | undefined, trusted: TrustedProxies): string {
  let address = peerAddress(request);
  if (!trusted.has(address)) return address;
  const header = request?.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map(normaliseAddress)
    .filter(Boolean);
  while (trusted.has(address)) {
    const previous = hops.pop();
    if (previous === undefined || isIP(previous) === 0) return address;
    address = previous;
  }
  return address;
}

/** The Node request behind a Hono context (`@hono/node-server`); none in `app.request()` tests. */
export function incomingOf(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

/** `clientAddress` of a Hono request. */
export function clientAddressOf(c: Context, trusted: TrustedProxies): string {
  return clientAddress(incomingOf(c), trusted);
}

/**
 * What a per-address limit counts for an address: an IPv4 address itself, an IPv6 address's /64
 * network (`2001:db8:1:2::/64`). One subscriber, one office, one phone usually holds a whole /64
 * and may take a new address in it for every request: counted address by address, it would never
 * meet a limit. The audit log keeps the full address.
 */
export function limitedAddress(address: string): string {
  const normalised = normaliseAddress(address).replace(/%.*$/, '');
  if (isIP(normalised) !== 6) return normalised;
  return `${ipv6Groups(normalised).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, in hexadecimal without leading zeros. */
function ipv6Groups(address: string): string[] {
  let text = address;
  // A dotted IPv4 tail (`64:ff9b::192.0.2.1`) is the last two groups.
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const zeros = rest === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => Number.parseInt(group, 16).toString(16));
}
