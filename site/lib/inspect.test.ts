import { describe, expect, it } from 'vitest';
import { closeCodeText, fieldsAtByte, inferDirection, inspectBytes } from './inspect.ts';
import { parseHex } from './bytes-input.ts';

function hex(text: string): Uint8Array {
  const result = parseHex(text);
  if (!result.ok) throw new Error(result.error);
  return result.bytes;
}

describe('inspectBytes on the RFC 6455 §5.7 examples', () => {
  it('§5.7 unmasked "Hello": one complete server-to-client text frame', () => {
    const inspection = inspectBytes(hex('81 05 48 65 6c 6c 6f'));
    expect(inspection.direction).toBe('server-to-client');
    expect(inspection.violation).toBeNull();
    expect(inspection.frames).toHaveLength(1);
    const [frame] = inspection.frames;
    expect(frame!.complete).toBe(true);
    expect(frame!.record.opcodeName).toBe('text');
    expect(new TextDecoder().decode(frame!.record.payload.unmasked)).toBe('Hello');
  });

  it('§5.7 masked "Hello": inferred client-to-server, unmasked by the core', () => {
    const inspection = inspectBytes(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
    expect(inspection.direction).toBe('client-to-server');
    const record = inspection.frames[0]!.record;
    expect(record.fields.find((field) => field.name === 'maskingKey')?.value).toBe('0x37fa213d');
    expect([...record.payload.wire]).toEqual([0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    expect(new TextDecoder().decode(record.payload.unmasked)).toBe('Hello');
  });

  it('§5.7 fragmented "Hel" + "lo": two frames in one paste, offsets from the records', () => {
    const inspection = inspectBytes(hex('01 03 48 65 6c 80 02 6c 6f'));
    expect(inspection.frames.map((frame) => [frame.record.opcodeName, frame.record.fin, frame.record.streamOffset]))
      .toEqual([['text', false, 0], ['continuation', true, 5]]);
    expect([...inspection.frames[1]!.bytes]).toEqual([0x80, 0x02, 0x6c, 0x6f]);
  });

  it('a paste that ends inside a frame shows the partial frame as incomplete', () => {
    const inspection = inspectBytes(hex('81 05 48 65 6c 6c 6f 81 05 48'));
    expect(inspection.frames).toHaveLength(2);
    expect(inspection.frames[1]!.complete).toBe(false);
    expect(inspection.frames[1]!.record.payloadLength).toBe(5);
  });

  it('§5.2 reserved opcode 0x3 is a violation with close code 1002; later bytes are ignored', () => {
    const inspection = inspectBytes(hex('83 00 81 00'), 'server-to-client');
    expect(inspection.violation?.closeCode).toBe(1002);
    expect(inspection.violation?.section).toMatch(/RFC 6455 §5\.2/);
    expect(inspection.ignoredBytes).toBe(2);
    expect(closeCodeText(1002)).toBe('1002 (Protocol Error)');
  });

  it('§5.1 an unmasked frame read by a server is a 1002 violation', () => {
    const inspection = inspectBytes(hex('81 05 48 65 6c 6c 6f'), 'client-to-server');
    expect(inspection.violation?.closeCode).toBe(1002);
    expect(inspection.frames[0]!.record.violation).toBeDefined();
  });

  it('byte 0 holds FIN, RSV1-3 and the opcode', () => {
    const record = inspectBytes(hex('81 00')).frames[0]!.record;
    expect(fieldsAtByte(record, 0).map((field) => field.name)).toEqual(['fin', 'rsv1', 'rsv2', 'rsv3', 'opcode']);
    expect(inferDirection(hex('81'))).toBe('server-to-client');
  });
});
