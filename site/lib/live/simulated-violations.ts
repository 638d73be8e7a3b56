/**
 * The rule-breaking frames a server can send on purpose (SERVER_VIOLATIONS in the lab contract), built
 * for the core's sendRawFrame so the simulated client fails the connection as a browser would.
 */
import { MAX_CONTROL_PAYLOAD, Opcode } from '../../../lab-server/src/protocol/constants.ts';
import type { OutgoingFrame } from '../../../lab-server/src/protocol/frame/serializer.ts';
import { encodeUtf8 } from '../../../lab-server/src/protocol/utf8.ts';
import type { ServerViolationKind } from '../../../lab-server/src/reports/lab-report-types.ts';

/** 0x3 is one of the reserved non-control opcodes (RFC 6455 §5.2). */
const RESERVED_DATA_OPCODE = 0x3;
/** A byte that can never appear in UTF-8 (RFC 3629 §1). */
const NEVER_UTF8 = 0xff;

export interface ViolationChoice {
  readonly kind: ServerViolationKind;
  readonly label: string;
  /** The rule the browser applies, and its section. */
  readonly rule: string;
}

export const VIOLATION_CHOICES: readonly ViolationChoice[] = [
  { kind: 'rsv2', label: 'RSV2 set', rule: 'RSV bits must be 0 unless an extension defines them (RFC 6455 §5.2)' },
  { kind: 'reserved-opcode', label: 'Reserved opcode 0x3', rule: 'opcodes 0x3-0x7 are reserved (RFC 6455 §5.2)' },
  { kind: 'masked-frame', label: 'Masked server frame', rule: 'a server must not mask its frames (RFC 6455 §5.1)' },
  { kind: 'invalid-utf8', label: 'Invalid UTF-8 text', rule: 'text must be valid UTF-8, else close 1007 (RFC 6455 §8.1)' },
  { kind: 'long-control', label: 'Ping with 126 bytes', rule: 'control payloads are at most 125 bytes (RFC 6455 §5.5)' },
  { kind: 'fragmented-control', label: 'Fragmented ping', rule: 'control frames must not be fragmented (RFC 6455 §5.5)' },
  { kind: 'unexpected-continuation', label: 'Continuation with nothing to continue', rule: 'a continuation needs a message in progress (RFC 6455 §5.4)' },
];

export function serverViolationFrame(kind: ServerViolationKind): OutgoingFrame {
  const hello = encodeUtf8('Hello');
  switch (kind) {
    case 'rsv2':
      return { fin: true, rsv2: true, opcode: Opcode.Text, payload: hello };
    case 'reserved-opcode':
      return { fin: true, opcode: RESERVED_DATA_OPCODE, payload: hello };
    case 'masked-frame':
      return { fin: true, opcode: Opcode.Text, payload: hello, maskingKey: crypto.getRandomValues(new Uint8Array(4)) };
    case 'invalid-utf8':
      return { fin: true, opcode: Opcode.Text, payload: Uint8Array.of(0x48, 0x69, NEVER_UTF8) };
    case 'long-control':
      return { fin: true, opcode: Opcode.Ping, payload: new Uint8Array(MAX_CONTROL_PAYLOAD + 1) };
    case 'fragmented-control':
      return { fin: false, opcode: Opcode.Ping, payload: hello };
    case 'unexpected-continuation':
      return { fin: true, opcode: Opcode.Continuation, payload: hello };
  }
}
