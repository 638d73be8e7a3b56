import { ALLOW_REMOTE_FLAG, parseInspectUrl, type InspectOption } from './inspect-target.ts';
import { ServerDefaults } from './limits.ts';
import { ALLOW_ORIGIN_FLAG, parseAllowedOrigin } from './observer-origin.ts';

export interface CliSettings {
  readonly port: number;
  readonly host: string;
  readonly help: boolean;
  /** --inspect URL (and --inspect-allow-remote); null when not relaying. */
  readonly inspect: InspectOption | null;
  /** --allow-origin ORIGIN (repeatable): pages of these origins may open /lab/observe too. */
  readonly allowedOrigins: readonly string[];
}

export const USAGE = `usage: node lab-server/src/main.ts [--port N] [--host H] [--inspect ws://HOST:PORT/PATH [${ALLOW_REMOTE_FLAG}]]
       [${ALLOW_ORIGIN_FLAG} ORIGIN]... [--help]

Serves the built site (dist/) and the WebSocket endpoints on one port:
  ws://HOST:PORT/echo               echoes every message (permessage-deflate when offered)
  ws://HOST:PORT/lab/observe        observer: receives reports about a lab session (docs/lab-protocol.md)
  ws://HOST:PORT/lab?session=ID     subject: echoes like /echo, reported to the session's observer
  ws://HOST:PORT/pvp/observe        push versus polling: one measured run per connection
                                    (/pvp/poll, /pvp/long-poll, /pvp/sse, /pvp/ws, /pvp/send; docs/push-vs-poll-protocol.md)
  ws://HOST:PORT/inspect            with --inspect: relays your app's WebSocket to the target, decoded
                                    for observers of /lab/observe?watch=inspect

Options (flags win over the environment):
  --port N, PORT=N   port to listen on (default ${ServerDefaults.port}, a memorable cousin of RFC 6455; 0 = any free port)
  --host H, HOST=H   address to listen on (default ${ServerDefaults.host}; use 0.0.0.0 to expose it to your network)
  --inspect URL      relay ws://HOST:PORT/inspect to this ws:// server (your app's), decoding every frame
  ${ALLOW_REMOTE_FLAG}
                     let --inspect relay to another machine (default: localhost, 127.0.0.0/8, ::1 only)
                     and serve /inspect and /lab/observe?watch=inspect to other machines (default: loopback peers only)
  ${ALLOW_ORIGIN_FLAG} ORIGIN
                     let pages of ORIGIN (e.g. https://my.dev.site) open /lab/observe; repeatable. By default
                     only this server's own pages on localhost or an IP address may (RFC 6455 §10.2)
  --help             show this text`;

/** Parses flags and environment; throws an Error with a one-line message on bad input. */
export function parseCliArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliSettings {
  let port: number | undefined;
  let host: string | undefined;
  let help = false;
  let inspectTarget: URL | undefined;
  let allowRemote = false;
  const allowedOrigins: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--help' || flag === '-h') help = true;
    else if (flag === '--port') port = parsePort(value(), '--port');
    else if (flag === '--host') host = parseHost(value(), '--host');
    else if (flag === '--inspect') inspectTarget = parseInspectUrl(value());
    else if (flag === ALLOW_REMOTE_FLAG && inline === undefined) allowRemote = true;
    else if (flag === ALLOW_ORIGIN_FLAG) allowedOrigins.push(parseAllowedOrigin(value()));
    else throw new Error(`unknown option ${arg} (try --help)`);
  }
  if (allowRemote && inspectTarget === undefined) throw new Error(`${ALLOW_REMOTE_FLAG} only makes sense with --inspect URL`);
  return {
    port: port ?? (env['PORT'] === undefined || env['PORT'] === '' ? ServerDefaults.port : parsePort(env['PORT'], 'PORT')),
    host: host ?? (env['HOST'] === undefined || env['HOST'] === '' ? ServerDefaults.host : parseHost(env['HOST'], 'HOST')),
    help,
    inspect: inspectTarget === undefined ? null : { target: inspectTarget, allowRemote },
    allowedOrigins,
  };
}

function parsePort(text: string, name: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) throw new Error(`${name} must be a port number 0-65535, got "${text}"`);
  return Number(text);
}

function parseHost(text: string, name: string): string {
  if (text === '' || /[\s/]/.test(text)) throw new Error(`${name} must be a host name or IP address, got "${text}"`);
  return text;
}
