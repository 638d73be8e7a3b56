/**
 * Autobahn 4.x-like cases: opcodes 0x3-0x7 (non-control) and 0xB-0xF (control) are reserved (RFC 6455 §5.2, §11.8);
 * receiving one fails the connection with 1002, after everything before it was answered.
 */
import { describe } from 'vitest';
import { CloseCode } from '../../src/protocol/constants.ts';
import { concatBytes, frame, ping, text } from '../support/frame-builder.ts';
import { useEchoTarget } from '../support/lab-server.ts';
import { itRunsWireCases, echoText } from '../support/wire-case.ts';
import type { WireCase } from '../support/wire-case.ts';

const section = 'RFC 6455 §5.2';
const hexOpcode = (opcode: number): string => `0x${opcode.toString(16).toUpperCase()}`;
const nonControl = [0x3, 0x4, 0x5, 0x6, 0x7];
const control = [0xb, 0xc, 0xd, 0xe, 0xf];

function reservedOpcodeCases(group: number, opcodes: readonly number[], kind: string): WireCase[] {
  return opcodes.flatMap((opcode, i): WireCase[] => [
    {
      id: `4.${group}.${3 * i + 1}`,
      title: `reserved ${kind} opcode ${hexOpcode(opcode)}, empty -> 1002`,
      section,
      send: [frame({ opcode })],
      fail: CloseCode.ProtocolError,
    },
    {
      id: `4.${group}.${3 * i + 2}`,
      title: `text, reserved ${kind} opcode ${hexOpcode(opcode)} with payload, ping: echo, then 1002, no pong`,
      section,
      send: [concatBytes(text('Hello'), frame({ opcode, payload: 'reserved payload' }), ping())],
      expect: [echoText('Hello')],
      fail: CloseCode.ProtocolError,
    },
    {
      id: `4.${group}.${3 * i + 3}`,
      title: `reserved ${kind} opcode ${hexOpcode(opcode)} written one byte at a time -> 1002`,
      section,
      send: [{ chop: frame({ opcode, payload: 'x' }), size: 1 }],
      fail: CloseCode.ProtocolError,
    },
  ]);
}

const cases: WireCase[] = [...reservedOpcodeCases(1, nonControl, 'non-control'), ...reservedOpcodeCases(2, control, 'control')];

describe('conformance: opcodes (Autobahn 4.x, RFC 6455 §5.2)', () => {
  const target = useEchoTarget();

  itRunsWireCases(target, cases);
});
