/**
 * `--inspect ws://...`: which server the /inspect relay forwards to. The target is fixed on the command
 * line (clients cannot choose it, so the relay is never an open proxy), and it must be on this machine
 * unless the user says otherwise with --inspect-allow-remote: a lab server exposed with --host 0.0.0.0
 * must not become a way into some other host.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { WS_DEFAULT_PORT } from '../protocol/constants.ts';

/** The flag that lifts the loopback-only rule. */
export const ALLOW_REMOTE_FLAG = '--inspect-allow-remote';


/** How long the target may take to accept the TCP connection and answer the handshake; then 504 to the app. */
export const INSPECT_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface InspectOption {
  readonly target: URL;
  /** --inspect-allow-remote: any host, not only this machine. */
  readonly allowRemote?: boolean;
  /** Default INSPECT_HANDSHAKE_TIMEOUT_MS. */
  readonly handshakeTimeoutMs?: number;
  /** Stands in for DNS (tests: a host name with chosen addresses); default: the system resolver. */
  readonly resolver?: Resolver;
}

/** A checked target: where to connect and what to put in the forwarded request. */
export interface InspectTarget {
  readonly url: URL;
  /** The address (or, with allowRemote, the host name) the relay connects to first. */
  readonly connectHost: string;
  /**
   * Every address checked at startup, in the resolver's order; the relay tries them in turn (a
   * dual-stack `localhost` may answer ::1 first while the target listens on 127.0.0.1 only). Empty
   * with allowRemote: the host name is then resolved at each connection.
   */
  readonly addresses: readonly string[];
  readonly port: number;
  /** "host:port" as in the URL: the Host header of the forwarded request (RFC 7230 §5.4). */
  readonly authority: string;
  /** origin-form request target, "/path?query" (RFC 7230 §5.3.1). */
  readonly pathAndQuery: string;
  readonly handshakeTimeoutMs: number;
  /** --inspect-allow-remote: other machines may also use /inspect and /lab/observe?watch=inspect. */
  readonly allowRemote: boolean;
}

/** A target refused at startup: a usage error (main.ts exits 2), not a failure to listen. */
export class InspectTargetError extends Error {}

/** Parses the --inspect value; throws an Error with a one-line message. */
export function parseInspectUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--inspect needs a WebSocket URL like ws://127.0.0.1:3000/socket, got "${text}"`);
  }
  if (url.protocol === 'wss:') {
    throw new Error('--inspect: wss:// targets are not supported yet (the relay has no TLS); use a ws:// URL');
  }
  if (url.protocol !== 'ws:') throw new Error(`--inspect needs a ws:// URL, got ${url.protocol}//`);
  if (url.hash !== '') throw new Error('--inspect: a WebSocket URL must not have a #fragment (RFC 6455 §3)');
  if (url.username !== '' || url.password !== '') throw new Error('--inspect: the URL must not contain a user name or password');
  // Port 0 asks the system for any free port when listening; no server can be reached on it.
  if (url.port === '0') throw new Error("--inspect: port 0 is not a port a server listens on; give your app's server's port");
  return url;
}

/** RFC 1122 §3.2.1.3: 127.0.0.0/8 is loopback. */
const LOOPBACK_FIRST_OCTET = 127;
const BITS_PER_BYTE = 8;
/** How many of a name's non-loopback addresses an error quotes. */
const MAX_SHOWN_ADDRESSES = 3;

/** 127.0.0.0/8, ::1, and IPv4-mapped 127.x (::ffff:127.0.0.1): the addresses of this machine's loopback. */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return address.startsWith('127.');
  if (family === 6) {
    const lower = address.toLowerCase();
    if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    if (mapped !== null) return mapped[1]!.startsWith('127.');
    // The same address in hex, as the URL parser writes it: [::ffff:127.0.0.1] becomes ::ffff:7f00:1.
    const mappedHex = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(lower);
    return mappedHex !== null && Number.parseInt(mappedHex[1]!, 16) >> BITS_PER_BYTE === LOOPBACK_FIRST_OCTET;
  }
  return false;
}

/**
 * Why a peer may not use the relay (/inspect, /lab/observe?watch=inspect), or null when it may: the
 * target is reachable on this machine's loopback only, so with --host 0.0.0.0 the relay would hand it
 * (and its traffic) to the whole network unless the user said so with --inspect-allow-remote.
 */
export function remotePeerRefusal(target: InspectTarget, peerAddress: string | undefined): string | null {
  if (target.allowRemote || (peerAddress !== undefined && isLoopbackAddress(peerAddress))) return null;
  return `the inspect relay serves this machine only (its target is on loopback); start the lab server with ${ALLOW_REMOTE_FLAG} to serve other machines`;
}

/** A listening address that only this machine can reach: a loopback address or localhost. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopbackAddress(host.startsWith('[') ? host.slice(1, -1) : host);
}

/** Addresses that listen on every interface, loopback included. */
const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0', '']);

/**
 * The target is the lab server itself (same port, on an address the lab listens on): every relayed
 * connection would relay to /inspect again, forever, each one costing two more sockets. Returns the
 * one-line startup error, or null.
 */
export function selfTargetProblem(target: InspectTarget, labHost: string, labPort: number): string | null {
  if (target.port !== labPort) return null;
  const bareHost = labHost.startsWith('[') ? labHost.slice(1, -1) : labHost;
  const addresses = target.addresses.length > 0 ? target.addresses : [target.connectHost];
  const same = WILDCARD_HOSTS.has(bareHost) || addresses.some((address) => address === 'localhost' || isLoopbackAddress(address) || address === bareHost);
  return same ? `--inspect: ${target.url.href} is this lab server itself (port ${labPort}); point --inspect at your app's server, on another port` : null;
}

/** The startup warning for a lab server that other machines can reach while it relays, or null. */
export function exposureWarning(target: InspectTarget, labHost: string): string | null {
  if (isLoopbackHost(labHost)) return null;
  return target.allowRemote
    ? `listening on ${labHost} with --inspect and ${ALLOW_REMOTE_FLAG}: any machine that reaches this port can use /inspect and read relayed traffic on /lab/observe?watch=inspect`
    : `listening on ${labHost} with --inspect: /inspect and /lab/observe?watch=inspect answer this machine only (403 to others; ${ALLOW_REMOTE_FLAG} lifts this)`;
}

export type Resolver = (host: string) => Promise<readonly string[]>;

async function resolveAll(host: string): Promise<readonly string[]> {
  const addresses = await lookup(host, { all: true, verbatim: true });
  return addresses.map((entry) => entry.address);
}

/**
 * Checks the target at startup: without allowRemote, every address its host resolves to must be a
 * loopback address (one public address among them is enough to refuse). The relay then connects to
 * the addresses checked here, so a later DNS answer cannot redirect it elsewhere.
 */
export async function checkInspectTarget(option: InspectOption, resolve: Resolver = option.resolver ?? resolveAll): Promise<InspectTarget> {
  const url = parseInspectUrl(option.target.href);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? WS_DEFAULT_PORT : Number(url.port);
  const pathAndQuery = `${url.pathname === '' ? '/' : url.pathname}${url.search}`;
  const handshakeTimeoutMs = option.handshakeTimeoutMs ?? INSPECT_HANDSHAKE_TIMEOUT_MS;
  const base = { url, port, authority: url.host, pathAndQuery, handshakeTimeoutMs, allowRemote: option.allowRemote === true };
  if (option.allowRemote === true) return { ...base, connectHost: host, addresses: [] };
  let addresses: readonly string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = await resolve(host);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new Error(`--inspect: cannot resolve ${host}${typeof code === 'string' ? ` (${code})` : ''}`);
    }
  }
  const remote = addresses.filter((address) => !isLoopbackAddress(address));
  if (addresses.length === 0 || remote.length > 0) {
    // A name is shown with what it resolved to; an address literal speaks for itself.
    const shown = remote.length > 0 && isIP(host) === 0 ? ` (${host} is ${remote.slice(0, MAX_SHOWN_ADDRESSES).join(', ')})` : '';
    throw new Error(`--inspect: ${host} is not this machine${shown}; only localhost, 127.0.0.0/8 and ::1 are relayed unless you add ${ALLOW_REMOTE_FLAG}`);
  }
  return { ...base, connectHost: addresses[0]!, addresses };
}
