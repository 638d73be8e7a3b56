import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../lab-server/src/protocol/constants.ts';
import { CLOSE_CODES, buildCloseFrame, checkClosePayload, classifyCloseCode } from './close-codes-view.ts';
import { formatHex } from './bytes-input.ts';

const KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

describe('close-code explorer logic (RFC 6455 §5.5.1, §7.4)', () => {
  it('lists every CloseCode constant, and marks 1005, 1006 and 1015 as never on the wire (§7.4.1)', () => {
    expect(CLOSE_CODES.map((info) => info.code)).toEqual(Object.values(CloseCode).sort((a, b) => a - b));
    expect(CLOSE_CODES.filter((info) => !info.onWire).map((info) => info.code)).toEqual([1005, 1006, 1015]);
  });

  it.each([
    [999, false], [1000, true], [1004, false], [1016, false], [2999, false], [3000, true], [4999, true], [5000, false],
  ])('§7.4.2: code %i on the wire is %s', (code, onWire) => {
    expect(classifyCloseCode(code).onWire).toBe(onWire);
  });

  it('§5.5.1: a server close frame for 1000 "bye" is 88 05 03 e8 62 79 65', () => {
    const built = buildCloseFrame(CloseCode.Normal, 'bye', 'server-to-client', KEY);
    if (!built.ok) throw new Error(built.error);
    expect(formatHex(built.frame)).toBe('88 05 03 e8 62 79 65');
    expect(built.record.closeCode).toBe(1000);
    expect(built.record.closeReason).toBe('bye');
  });

  it('§5.3: a client close frame is masked; the record still reads the code', () => {
    const built = buildCloseFrame(CloseCode.GoingAway, '', 'client-to-server', KEY);
    if (!built.ok) throw new Error(built.error);
    expect(formatHex(built.frame.subarray(0, 6))).toBe('88 82 37 fa 21 3d');
    expect(built.record.closeCode).toBe(1001);
  });

  it('§7.4.1: the core refuses to build 1006, and reasons over 123 bytes', () => {
    expect(buildCloseFrame(1006, '', 'server-to-client', KEY).ok).toBe(false);
    expect(buildCloseFrame(1000, 'x'.repeat(124), 'server-to-client', KEY).ok).toBe(false);
    expect(buildCloseFrame(undefined, '', 'server-to-client', KEY).ok).toBe(true);
  });

  it.each([
    ['', 'ok', 1005],
    ['03 e8', 'ok', 1000],
    ['03', 'violation', 1002],
    ['03 ee', 'violation', 1002],
    ['03 e8 ff', 'violation', 1007],
    ['0f a0 68 69', 'ok', 4000],
  ])('§5.5.1/§7.4: payload "%s" gives %s (%i)', (hex, kind, code) => {
    const verdict = checkClosePayload(hex);
    expect(verdict.kind).toBe(kind);
    if (verdict.kind === 'ok') expect(verdict.code).toBe(code);
    if (verdict.kind === 'violation') expect(verdict.violation.closeCode).toBe(code);
  });

  it('explains input that is not hex', () => {
    expect(checkClosePayload('hello').kind).toBe('input-error');
  });
});
