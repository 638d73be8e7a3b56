/**
 * The violations a learner can ask the server to commit (SERVER_VIOLATIONS in the lab contract), as
 * the page offers them: a label and the rule the browser applies. The frames themselves are built by
 * lab-server/src/reports/server-violation-frames.ts, shared by the server and the simulation.
 */
import type { ServerViolationKind } from '../../../lab-server/src/reports/lab-report-types.ts';

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
