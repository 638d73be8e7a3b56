/**
 * The observer's commands as the server reads them (pure): valid commands come out as typed values,
 * anything else as a one-line reason, whatever the input. And the deliberately broken server frames:
 * the core's client-role connection rejects each one with the rule a client applies.
 */
import { describe, expect, it } from 'vitest';
import { Opcode } from '../../src/protocol/constants.ts';
import { encodeUtf8 } from '../../src/protocol/utf8.ts';
import { LAB_COMMAND_TYPES, MAX_SEND_LARGE_BYTES, parseLabCommand } from '../../src/reports/lab-command-parse.ts';
import { SERVER_VIOLATIONS } from '../../src/reports/lab-report-types.ts';
import { clientVerdict, serverViolationFrame } from '../../src/reports/server-violation-frames.ts';

describe('parseLabCommand', () => {
  it.each([
    [{ id: 1, type: 'ping' }, { id: 1, type: 'ping', text: '' }],
    [{ id: 2, type: 'ping', text: 'x'.repeat(125), subject: 3 }, { id: 2, type: 'ping', text: 'x'.repeat(125), subject: 3 }],
    [{ id: 3, type: 'send-fragmented', text: 'abc', fragments: 64 }, { id: 3, type: 'send-fragmented', text: 'abc', fragments: 64 }],
    [{ id: 4, type: 'send-compressed', text: '' }, { id: 4, type: 'send-compressed', text: '' }],
    [{ id: 5, type: 'send-interleaved', text: 'hi' }, { id: 5, type: 'send-interleaved', text: 'hi' }],
    [{ id: 6, type: 'close', code: 1000 }, { id: 6, type: 'close', code: 1000, reason: '' }],
    [{ id: 7, type: 'close', code: 4999, reason: 'é'.repeat(61) }, { id: 7, type: 'close', code: 4999, reason: 'é'.repeat(61) }],
    [{ id: 8, type: 'violation', kind: 'masked-frame' }, { id: 8, type: 'violation', kind: 'masked-frame' }],
    [{ id: 9, type: 'send-large', bytes: MAX_SEND_LARGE_BYTES, extra: true }, { id: 9, type: 'send-large', bytes: MAX_SEND_LARGE_BYTES }],
  ])('accepts %j', (input, command) => {
    expect(parseLabCommand(JSON.stringify(input))).toEqual({ ok: true, command });
  });

  it('a close reason of 124 bytes is one too many (RFC 6455 §5.5: 125 minus the 2-byte code)', () => {
    const result = parseLabCommand(JSON.stringify({ id: 1, type: 'close', code: 1000, reason: 'a'.repeat(124) }));
    expect(result).toMatchObject({ ok: false, id: 1, error: 'close: close reason is 124 bytes of UTF-8; at most 123 fit (RFC 6455 §5.5)' });
  });

  it('never throws, and every refusal is one line, whatever the input (seeded random commands)', () => {
    let state = 42;
    const random = (n: number): number => {
      state = (state * 1103515245 + 12345) >>> 0;
      return state % n;
    };
    const values: unknown[] = [null, true, -1, 0, 1.5, 1e308, 'x', '', '\n', [], {}, [1], { a: 1 }, 'é'.repeat(100), 2 ** 53, 126, 65, 1005];
    const pick = (): unknown => values[random(values.length)];
    const keys = ['id', 'type', 'subject', 'text', 'fragments', 'code', 'reason', 'kind', 'bytes'];
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const fields: Record<string, unknown> = {};
      for (const key of keys) if (random(3) > 0) fields[key] = key === 'type' && random(2) === 0 ? LAB_COMMAND_TYPES[random(LAB_COMMAND_TYPES.length)] : pick();
      const text = random(10) === 0 ? JSON.stringify(fields).slice(0, random(40)) : JSON.stringify(fields);
      const result = parseLabCommand(text);
      if (result.ok) {
        accepted++;
        expect(LAB_COMMAND_TYPES).toContain(result.command.type);
      } else {
        expect(result.error).not.toMatch(/[\r\n]/);
        expect(result.error.length).toBeLessThan(200);
      }
    }
    // The generator does produce valid commands too, so both paths ran.
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('deliberately broken server frames (the violation command)', () => {
  it.each([
    ['rsv2', 1002, 'RFC 6455 §5.2'],
    ['reserved-opcode', 1002, 'RFC 6455 §5.2'],
    ['masked-frame', 1002, 'RFC 6455 §5.1'],
    ['invalid-utf8', 1007, 'RFC 6455 §8.1'],
    ['long-control', 1002, 'RFC 6455 §5.5'],
    ['fragmented-control', 1002, 'RFC 6455 §5.5'],
    ['unexpected-continuation', 1002, 'RFC 6455 §5.4'],
  ] as const)('%s: a client fails the connection with %i (%s)', (kind, closeCode, section) => {
    expect(clientVerdict(serverViolationFrame(kind))).toMatchObject({ closeCode, section });
  });

  it('covers every kind of the contract, and a valid frame gets no verdict', () => {
    for (const kind of SERVER_VIOLATIONS) expect(clientVerdict(serverViolationFrame(kind)), kind).not.toBeNull();
    expect(clientVerdict({ fin: true, opcode: Opcode.Text, payload: encodeUtf8('fine') })).toBeNull();
  });
});
