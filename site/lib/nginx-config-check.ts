/**
 * Lesson 9: reads an nginx configuration the way nginx would for one WebSocket location, says what
 * each missing or wrong directive breaks, and builds the request the upstream would then receive:
 * the protocol core's own acceptClientHandshake judges it, so "the handshake becomes a plain GET"
 * is shown with the status and reason a real server (the lab server) answers.
 *
 * The configuration is read by nginx-syntax.ts. Inheritance follows nginx: a simple
 * directive (proxy_http_version, proxy_read_timeout) is inherited from the enclosing block when the
 * location does not set it; proxy_set_header is inherited only if the location sets NO proxy_set_header.
 */
import { acceptClientHandshake, isRejection, parseRequestHead } from '../../lab-server/src/protocol/index.ts';
import { parseNginx, parseNginxTime, type Directive } from './nginx-syntax.ts';

export type Level = 'error' | 'warn' | 'ok';

export interface Finding {
  readonly level: Level;
  readonly directive: string;
  readonly message: string;
  /** Where the rule comes from, e.g. "RFC 7230 §6.1" or "nginx docs". */
  readonly source: string;
}

export interface LocationReport {
  /** e.g. "location /ws/" */
  readonly where: string;
  readonly line: number;
  readonly findings: readonly Finding[];
  /** The request head the upstream receives for a browser's handshake. */
  readonly upstreamRequest: string;
  /** What a conforming WebSocket server (the core) answers to it. */
  readonly verdict: { readonly status: number; readonly reason: string; readonly section: string };
}

export type CheckResult =
  | { readonly ok: true; readonly locations: readonly LocationReport[] }
  | { readonly ok: false; readonly error: string };

export const GOOD_CONFIG = `http {
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }

    upstream lab {
        server 127.0.0.1:8455;
    }

    server {
        listen 80;
        location /echo {
            proxy_pass http://lab;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 3600s;
        }
    }
}`;

export const NAIVE_CONFIG = `server {
    listen 80;
    location /echo {
        proxy_pass http://127.0.0.1:8455;
    }
}`;

interface Scope {
  /** Directives of each enclosing block, innermost last. */
  readonly chain: readonly (readonly Directive[])[];
}

/** The innermost value of a simple directive, as nginx inherits it. */
function inherited(scope: Scope, name: string): Directive | undefined {
  for (let i = scope.chain.length - 1; i >= 0; i--) {
    const found = scope.chain[i]!.filter((d) => d.name === name).at(-1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** proxy_set_header: the innermost level that has any, all of them (nginx does not merge levels). */
function headerDirectives(scope: Scope): readonly Directive[] {
  for (let i = scope.chain.length - 1; i >= 0; i--) {
    const here = scope.chain[i]!.filter((d) => d.name === 'proxy_set_header');
    if (here.length > 0) return here;
  }
  return [];
}

interface MapDefinition { readonly source: string; readonly entries: ReadonlyMap<string, string>; readonly fallback: string }

function collectMaps(directives: readonly Directive[], maps: Map<string, MapDefinition>): void {
  for (const d of directives) {
    if (d.name === 'map' && d.args.length === 2 && d.block !== undefined) {
      const entries = new Map<string, string>();
      let fallback = '';
      for (const entry of d.block) {
        if (entry.args.length !== 1) continue;
        if (entry.name === 'default') fallback = entry.args[0]!;
        else entries.set(entry.name, entry.args[0]!);
      }
      maps.set(d.args[1]!, { source: d.args[0]!, entries, fallback });
    }
    if (d.block !== undefined) collectMaps(d.block, maps);
  }
}

function collectLocations(directives: readonly Directive[], chain: (readonly Directive[])[], out: { d: Directive; scope: Scope }[]): void {
  for (const d of directives) {
    if (d.block === undefined) continue;
    const nextChain = [...chain, d.block];
    if (d.name === 'location' && d.block.some((inner) => inner.name === 'proxy_pass')) out.push({ d, scope: { chain: nextChain } });
    collectLocations(d.block, nextChain, out);
  }
}

const BROWSER_HEADERS: readonly (readonly [string, string])[] = [
  ['Host', 'chat.example.com'],
  ['Upgrade', 'websocket'],
  ['Connection', 'Upgrade'],
  ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
  ['Sec-WebSocket-Version', '13'],
  ['Origin', 'https://chat.example.com'],
];
/** RFC 7230 §6.1: hop-by-hop fields a proxy does not forward; nginx also drops Upgrade (it is per-hop too). */
const HOP_BY_HOP = new Set(['connection', 'upgrade', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'proxy-connection']);

/** Resolves nginx variables in a header value for the example browser request. */
function resolve(value: string, maps: ReadonlyMap<string, MapDefinition>, host: string): string {
  return value.replace(/\$(\{?)([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_all, _brace, name: string) => {
    const map = maps.get(`$${name}`);
    if (map !== undefined) {
      const input = resolve(map.source, maps, host);
      return map.entries.get(input) ?? map.fallback;
    }
    if (name === 'host') return 'chat.example.com';
    if (name === 'proxy_host') return host;
    if (name.startsWith('http_')) {
      const header = name.slice(5).replace(/_/g, '-').toLowerCase();
      return BROWSER_HEADERS.find(([n]) => n.toLowerCase() === header)?.[1] ?? '';
    }
    if (name === 'remote_addr') return '203.0.113.7';
    if (name === 'proxy_add_x_forwarded_for') return '203.0.113.7';
    if (name === 'scheme') return 'https';
    return '';
  });
}

function upstreamHost(proxyPass: string): string {
  const match = /^https?:\/\/([^/]+)/.exec(proxyPass);
  return match?.[1] ?? 'upstream';
}

/** Checks every location that proxies (has proxy_pass); heartbeatSeconds is how often the server sends a ping. */
export function checkNginxConfig(text: string, heartbeatSeconds: number | null): CheckResult {
  let directives: Directive[];
  try {
    directives = parseNginx(text);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const maps = new Map<string, MapDefinition>();
  collectMaps(directives, maps);
  const found: { d: Directive; scope: Scope }[] = [];
  collectLocations(directives, [directives], found);
  if (found.length === 0) return { ok: false, error: 'No location with proxy_pass found: paste a server or http block that proxies to your WebSocket server.' };
  return { ok: true, locations: found.map(({ d, scope }) => checkLocation(d, scope, maps, heartbeatSeconds)) };
}

function checkLocation(location: Directive, scope: Scope, maps: ReadonlyMap<string, MapDefinition>, heartbeatSeconds: number | null): LocationReport {
  const findings: Finding[] = [];
  const proxyPass = location.block!.find((d) => d.name === 'proxy_pass')!.args[0] ?? '';
  const host = upstreamHost(proxyPass);

  // proxy_http_version: nginx speaks HTTP/1.0 to upstreams by default, and 1.0 has no Upgrade.
  const versionDirective = inherited(scope, 'proxy_http_version');
  const version = versionDirective?.args[0] ?? '1.0';
  if (version === '1.1') {
    findings.push({ level: 'ok', directive: 'proxy_http_version 1.1', message: 'The upstream request is HTTP/1.1, the version that has the Upgrade mechanism.', source: 'RFC 6455 §4.1' });
  } else {
    findings.push({
      level: 'error',
      directive: 'proxy_http_version',
      message: versionDirective === undefined
        ? 'Missing: nginx talks HTTP/1.0 to the upstream by default, and HTTP/1.0 has no Upgrade mechanism. Add "proxy_http_version 1.1;".'
        : `Set to ${version}: the opening handshake needs HTTP/1.1. Use "proxy_http_version 1.1;".`,
      source: 'RFC 6455 §4.1, RFC 7230 §6.7',
    });
  }

  const headers = headerDirectives(scope);
  const setHeader = (name: string): Directive | undefined => headers.filter((d) => d.args[0]?.toLowerCase() === name.toLowerCase()).at(-1);
  const ownHeaders = location.block!.some((d) => d.name === 'proxy_set_header');
  const outerHasHeaders = scope.chain.slice(0, -1).some((level) => level.some((d) => d.name === 'proxy_set_header'));
  if (ownHeaders && outerHasHeaders) {
    const outerUpgrade = scope.chain.slice(0, -1).some((level) => level.some((d) => d.name === 'proxy_set_header' && ['upgrade', 'connection'].includes(d.args[0]?.toLowerCase() ?? '')));
    if (outerUpgrade && (setHeader('Upgrade') === undefined || setHeader('Connection') === undefined)) {
      findings.push({ level: 'warn', directive: 'proxy_set_header (inheritance)', message: 'This location sets its own proxy_set_header, so NONE of the outer level\'s are inherited: the Upgrade and Connection lines set outside do not apply here. Repeat them in the location.', source: 'nginx docs: proxy_set_header' });
    }
  }

  const upgrade = setHeader('Upgrade');
  const upgradeValue = upgrade === undefined ? '' : resolve(upgrade.args[1] ?? '', maps, host);
  if (upgrade === undefined) {
    findings.push({ level: 'error', directive: 'proxy_set_header Upgrade', message: 'Missing: Upgrade is a hop-by-hop header, so nginx does not forward the browser\'s "Upgrade: websocket". Add "proxy_set_header Upgrade $http_upgrade;".', source: 'RFC 7230 §6.7' });
  } else if (upgradeValue.toLowerCase() !== 'websocket') {
    findings.push({ level: 'error', directive: 'proxy_set_header Upgrade', message: `For a browser handshake this sends "Upgrade: ${upgradeValue}", not "websocket". Use $http_upgrade, the value the browser sent.`, source: 'RFC 6455 §4.2.1' });
  } else {
    findings.push({ level: 'ok', directive: 'proxy_set_header Upgrade', message: `Forwards "Upgrade: ${upgradeValue}" to the upstream.`, source: 'RFC 7230 §6.7' });
  }

  const connection = setHeader('Connection');
  const connectionArg = connection?.args[1] ?? '';
  const connectionValue = connection === undefined ? 'close' : resolve(connectionArg, maps, host);
  const undefinedMapVariable = /\$connection_upgrade/.test(connectionArg) && !maps.has('$connection_upgrade');
  if (connection === undefined) {
    findings.push({ level: 'error', directive: 'proxy_set_header Connection', message: 'Missing: nginx sends "Connection: close" to the upstream, so the server sees no request to upgrade. Add "proxy_set_header Connection $connection_upgrade;" with the map $http_upgrade $connection_upgrade idiom, or "upgrade".', source: 'RFC 7230 §6.1' });
  } else if (undefinedMapVariable) {
    findings.push({ level: 'error', directive: 'map $http_upgrade $connection_upgrade', message: '$connection_upgrade is used but no map defines it: "nginx -t" fails with "unknown variable". Add the map block at http level.', source: 'nginx docs: WebSocket proxying' });
  } else if (!connectionValue.split(',').some((token) => token.trim().toLowerCase() === 'upgrade')) {
    findings.push({ level: 'error', directive: 'proxy_set_header Connection', message: `For a browser handshake this sends "Connection: ${connectionValue}", which does not contain the token "upgrade".`, source: 'RFC 6455 §4.2.1' });
  } else if (/^upgrade$/i.test(connectionArg)) {
    findings.push({ level: 'warn', directive: 'proxy_set_header Connection', message: 'A fixed "upgrade" works for WebSockets but also asks to upgrade plain HTTP requests to this location. The map idiom sends "close" when the browser sent no Upgrade.', source: 'nginx docs: WebSocket proxying' });
  } else {
    findings.push({ level: 'ok', directive: 'proxy_set_header Connection', message: `Sends "Connection: ${connectionValue}" for a handshake (and "${resolveWithoutUpgrade(connectionArg, maps, host)}" for a plain request).`, source: 'RFC 7230 §6.1' });
  }

  // proxy_read_timeout: the tunnel is closed when the upstream sends nothing for this long.
  const timeoutDirective = inherited(scope, 'proxy_read_timeout');
  const timeout = timeoutDirective === undefined ? 60 : parseNginxTime(timeoutDirective.args[0] ?? '');
  if (timeout === null) {
    findings.push({ level: 'error', directive: 'proxy_read_timeout', message: `"${timeoutDirective?.args[0]}" is not an nginx time (e.g. 75s, 10m, 1h).`, source: 'nginx docs: syntax' });
  } else if (heartbeatSeconds === null) {
    findings.push({ level: timeoutDirective === undefined ? 'warn' : 'ok', directive: 'proxy_read_timeout', message: `${timeoutDirective === undefined ? 'Not set: the default ' : ''}${formatSeconds(timeout)}: nginx closes a WebSocket when the server sends nothing for that long, and the server sends no heartbeat here. Idle connections will be cut.`, source: 'nginx docs: proxy_read_timeout' });
  } else if (heartbeatSeconds >= timeout) {
    findings.push({ level: 'error', directive: 'proxy_read_timeout', message: `${formatSeconds(timeout)}${timeoutDirective === undefined ? ' (the default)' : ''} is not longer than the ${formatSeconds(heartbeatSeconds)} between the server's pings: an idle connection is cut before the next ping arrives. Raise the timeout or ping more often.`, source: 'RFC 6455 §5.5.2' });
  } else {
    findings.push({ level: 'ok', directive: 'proxy_read_timeout', message: `${formatSeconds(timeout)}${timeoutDirective === undefined ? ' (the default)' : ''}: the server's pings every ${formatSeconds(heartbeatSeconds)} keep an idle connection open.`, source: 'RFC 6455 §5.5.2' });
  }

  const upstreamRequest = buildUpstreamRequest(location.args.at(-1) ?? '/', version, host, headers, maps);
  const parsed = parseRequestHead(upstreamRequest);
  const verdict = isRejection(parsed)
    ? { status: parsed.status, reason: parsed.reason, section: parsed.section }
    : (() => {
        const result = acceptClientHandshake(parsed);
        return result.ok
          ? { status: 101, reason: 'Switching Protocols: the upstream accepts the handshake', section: 'RFC 6455 §4.2.2' }
          : { status: result.rejection.status, reason: result.rejection.reason, section: result.rejection.section };
      })();
  return { where: `location ${location.args.join(' ')}`, line: location.line, findings, upstreamRequest, verdict };
}

function resolveWithoutUpgrade(value: string, maps: ReadonlyMap<string, MapDefinition>, host: string): string {
  const map = maps.get('$connection_upgrade');
  if (/\$connection_upgrade/.test(value) && map !== undefined) return map.entries.get('') ?? map.fallback;
  return resolve(value, maps, host);
}

function formatSeconds(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** The head nginx sends upstream: its own Host and Connection, the set headers, the rest minus hop-by-hop. */
function buildUpstreamRequest(path: string, version: string, host: string, headers: readonly Directive[], maps: ReadonlyMap<string, MapDefinition>): string {
  const target = path.startsWith('/') ? path : '/';
  const fields = new Map<string, [string, string]>();
  fields.set('host', ['Host', host]);
  fields.set('connection', ['Connection', 'close']);
  for (const d of headers) {
    const name = d.args[0];
    if (name === undefined) continue;
    const value = resolve(d.args[1] ?? '', maps, host);
    // nginx omits a header whose value resolves to the empty string.
    if (value === '') fields.delete(name.toLowerCase());
    else fields.set(name.toLowerCase(), [name, value]);
  }
  for (const [name, value] of BROWSER_HEADERS) {
    const key = name.toLowerCase();
    if (HOP_BY_HOP.has(key) || key === 'host' || fields.has(key)) continue;
    fields.set(key, [name, value]);
  }
  const lines = [`GET ${target} HTTP/${version}`, ...[...fields.values()].map(([n, v]) => `${n}: ${v}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}
