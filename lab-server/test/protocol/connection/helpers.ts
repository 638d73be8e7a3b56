/** Shared helpers of the connection tests: frame bytes, event filters, and a wire between two connections. */
import { Connection } from '../../../src/protocol/connection.ts';
import type { ConnectionEvent, ConnectionOptions } from '../../../src/protocol/connection-types.ts';
import { FrameParser } from '../../../src/protocol/frame/parser.ts';
import { serializeFrame } from '../../../src/protocol/frame/serializer.ts';
import type { Frame, Role } from '../../../src/protocol/frame/types.ts';

export const MASK = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
export const hex = (text: string): Uint8Array =>
  Uint8Array.from(text.trim().split(/\s+/).map((byte) => Number.parseInt(byte, 16)));

export interface FrameSpec {
  readonly fin?: boolean;
  readonly rsv1?: boolean;
  readonly opcode: number;
  readonly payload?: Uint8Array | string;
}

/** The bytes of one frame as a peer of `receiver` sends it: masked towards a server (RFC 6455 §5.1). */
export function frameTo(receiver: Role, spec: FrameSpec): Uint8Array {
  const payload = typeof spec.payload === 'string' ? ascii(spec.payload) : (spec.payload ?? new Uint8Array(0));
  return serializeFrame({
    fin: spec.fin ?? true,
    rsv1: spec.rsv1 ?? false,
    opcode: spec.opcode,
    payload,
    maskingKey: receiver === 'server' ? MASK : null,
  });
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Parses what a connection wrote, as its peer would (a fresh copy: the parser unmasks in place). */
export function framesWritten(connection: Connection): Frame[] {
  const bytes = concat(connection.takeOutgoing());
  const parser = new FrameParser({ role: connection.role === 'server' ? 'client' : 'server', allowRsv1: true });
  const frames = parser.push(bytes);
  if (parser.violation !== null) throw new Error(`written bytes break a rule: ${parser.violation.reason}`);
  return frames;
}

/** All events, drained as a host does: takeEvents() until it returns [] (an owed close is written then). */
export function drain(connection: Connection): ConnectionEvent[] {
  const all: ConnectionEvent[] = [];
  for (let events = connection.takeEvents(); events.length > 0; events = connection.takeEvents()) all.push(...events);
  return all;
}

/** Events without the 'frame' records, for assertions about behaviour. */
export function behaviour(connection: Connection): ConnectionEvent[] {
  return drain(connection).filter((event) => event.type !== 'frame');
}

export function server(options: Partial<ConnectionOptions> = {}): Connection {
  return new Connection({ role: 'server', ...options });
}

export function client(options: Partial<ConnectionOptions> = {}): Connection {
  let counter = 0;
  return new Connection({
    role: 'client',
    randomBytes: (length) => Uint8Array.from({ length }, () => (counter++ * 37 + 11) & 0xff),
    ...options,
  });
}

/** Moves everything `from` wrote into `to`, cut into pieces by `cut` (a list of piece sizes, cycled). */
export function pump(from: Connection, to: Connection, cut: readonly number[] = []): void {
  const bytes = concat(from.takeOutgoing());
  if (cut.length === 0) {
    to.receive(bytes);
    return;
  }
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, cut[i++ % cut.length]!);
    to.receive(bytes.slice(at, at + size));
    at += size;
  }
}
