/**
 * The frames a server writes when a learner asks it to break a rule on purpose (the lab's `violation`
 * command), and the verdict a client will reach on them. The verdict is never written by hand: the
 * core's own client-role Connection reads the serialized bytes and says which rule fails, with its
 * section and close code. Pure TypeScript, shared by the lab server and the browser's simulation.
 */
import { Connection } from '../protocol/connection.ts';
import { MAX_CONTROL_PAYLOAD, Opcode } from '../protocol/constants.ts';
import { serializeFrame, type OutgoingFrame } from '../protocol/frame/serializer.ts';
import { encodeUtf8 } from '../protocol/utf8.ts';
import type { ProtocolViolation } from '../protocol/violation.ts';
import type { ServerViolationKind } from './lab-report-types.ts';

/** RFC 6455 §5.2: opcodes 0x3-0x7 are reserved for further non-control frames. */
const RESERVED_DATA_OPCODE = 0x3;
/** A fixed key, so the masked frame is the same on every run (a server never masks, RFC 6455 §5.1). */
const SERVER_MASKING_KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
/** 0xC3 starts a two-byte sequence; 0x28 "(" cannot continue it (RFC 3629 §4). */
const INVALID_UTF8 = Uint8Array.of(0x48, 0x69, 0xc3, 0x28);

/** The frame the server writes for each kind of violation. */
export function serverViolationFrame(kind: ServerViolationKind): OutgoingFrame {
  switch (kind) {
    case 'rsv2':
      return { fin: true, rsv2: true, opcode: Opcode.Text, payload: encodeUtf8('RSV2 set') };
    case 'reserved-opcode':
      return { fin: true, opcode: RESERVED_DATA_OPCODE, payload: encodeUtf8('opcode 0x3') };
    case 'masked-frame':
      return { fin: true, opcode: Opcode.Text, payload: encodeUtf8('masked by the server'), maskingKey: SERVER_MASKING_KEY };
    case 'invalid-utf8':
      return { fin: true, opcode: Opcode.Text, payload: INVALID_UTF8 };
    case 'long-control':
      return { fin: true, opcode: Opcode.Ping, payload: new Uint8Array(MAX_CONTROL_PAYLOAD + 1).fill(0x2a) };
    case 'fragmented-control':
      return { fin: false, opcode: Opcode.Ping, payload: encodeUtf8('FIN=0 ping') };
    case 'unexpected-continuation':
      return { fin: true, opcode: Opcode.Continuation, payload: encodeUtf8('no message to continue') };
  }
}

/**
 * The rule a client applies to `frame` when it arrives outside any fragmented message: the core's
 * client-role connection reads its bytes. null when the client would accept it (a bug of ours).
 * byteOffset counts from the frame's first byte.
 */
export function clientVerdict(frame: OutgoingFrame): ProtocolViolation | null {
  const client = new Connection({ role: 'client' });
  client.receive(serializeFrame(frame));
  for (const event of client.takeEvents()) {
    if (event.type === 'violation') return event.violation;
  }
  return null;
}
