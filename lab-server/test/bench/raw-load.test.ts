/**
 * The benchmark's load generator (lab-server/bench/load): its frame reader must count exactly the echoes a
 * server sent, in any chunking, and refuse wrong ones, so a server that answers wrongly cannot look fast.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEchoLoad } from '../../bench/load/echo-load.ts';
import { runHandshakeLoad } from '../../bench/load/handshake-load.ts';
import { EchoReader, OPCODE_BINARY, OPCODE_TEXT, clientFrame, handshakeBytes, responseProblem } from '../../bench/load/raw-frames.ts';
import { FrameParser } from '../../src/protocol/frame/parser.ts';
import { computeAccept } from '../../src/protocol/handshake/accept.ts';
import { serializeFrame } from '../../src/protocol/frame/serializer.ts';
import { Opcode } from '../../src/protocol/constants.ts';
import { start, type Started } from '../server/helpers.ts';

function serverFrames(payload: Uint8Array, count: number, opcode: Opcode = Opcode.Binary): Buffer {
  const frame = serializeFrame({ fin: true, opcode, payload });
  return Buffer.concat(Array.from({ length: count }, () => frame));
}

describe('EchoReader', () => {
  it.each([[5], [126], [70_000]])('counts every echo of %i bytes, whatever the chunking', (size) => {
    const payload = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7) & 0xff));
    const stream = serverFrames(payload, 5);
    for (const chunkSize of [1, 3, 64, 65_536, 100_000, 150_000]) {
      const reader = new EchoReader(payload, OPCODE_BINARY, 1);
      let counted = 0;
      for (let at = 0; at < stream.length; at += chunkSize) counted += reader.push(stream.subarray(at, at + chunkSize));
      expect(reader.problem).toBeNull();
      expect(counted).toBe(5);
    }
  });

  it('catches one wrong large echo among right ones, in any chunking (its payload memory is reused)', () => {
    const payload = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff));
    const wrong = Buffer.from(payload);
    wrong[50_000]! ^= 1;
    for (const wrongAt of [0, 1, 3]) {
      const stream = Buffer.concat([0, 1, 2, 3].map((index) => serverFrames(index === wrongAt ? wrong : payload, 1)));
      for (const chunkSize of [1_000, 65_536, 100_000, 150_000]) {
        const reader = new EchoReader(payload, OPCODE_BINARY, 1);
        for (let at = 0; at < stream.length; at += chunkSize) reader.push(stream.subarray(at, at + chunkSize));
        expect(reader.problem, `wrong echo ${wrongAt}, chunks of ${chunkSize}`).toMatch(/differs/);
      }
    }
  });

  it('refuses an echo of another length, another type, or other bytes', () => {
    const payload = Buffer.from('hello, echo');
    const wrongLength = new EchoReader(payload, OPCODE_BINARY, 1);
    wrongLength.push(serverFrames(payload.subarray(1), 1));
    expect(wrongLength.problem).toMatch(/10 bytes, expected 11/);
    const wrongType = new EchoReader(payload, OPCODE_BINARY, 1);
    wrongType.push(serverFrames(payload, 1, Opcode.Text));
    expect(wrongType.problem).toMatch(/unexpected frame/);
    const wrongBytes = new EchoReader(payload, OPCODE_TEXT, 1);
    wrongBytes.push(serverFrames(Buffer.from('hello, ECHO'), 1, Opcode.Text));
    expect(wrongBytes.problem).toMatch(/differs/);
  });
});

describe('prepared client bytes', () => {
  it('a masked client frame parses, through the core, to the payload it was made from', () => {
    const payload = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
    const frames = new FrameParser({ role: 'server' }).push(clientFrame(OPCODE_BINARY, payload));
    expect(frames).toHaveLength(1);
    expect(Buffer.from(frames[0]!.payload).equals(payload)).toBe(true);
  });

  it('the handshake check accepts only a 101 with the right accept', () => {
    const { request, key } = handshakeBytes(new URL('ws://127.0.0.1:1/echo?x=1'));
    expect(request.toString('latin1')).toMatch(/^GET \/echo\?x=1 HTTP\/1\.1\r\n/);
    const upgrade = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';
    expect(responseProblem(`${upgrade}Sec-WebSocket-Accept: ${computeAccept(key)}\r\n\r\n`, key)).toBeNull();
    expect(responseProblem(`${upgrade}Sec-WebSocket-Accept: x\r\n\r\n`, key)).toMatch(/does not match/);
    expect(responseProblem('HTTP/1.1 400 Bad Request\r\n\r\n', key)).toMatch(/instead of 101/);
  });
});

describe('the load against a real server', () => {
  let lab: Started;
  beforeAll(async () => {
    lab = await start();
  });
  afterAll(async () => {
    await lab.server.close();
  });

  it('echo load counts echoes from /echo, text and binary, and closes every connection cleanly', async () => {
    for (const binary of [true, false]) {
      const result = await runEchoLoad({
        url: `${lab.wsBase}/echo`,
        connections: 3,
        window: 4,
        payload: Buffer.from('0123456789abcdef'.repeat(4)),
        binary,
        warmupMs: 50,
        measureMs: 150,
      });
      expect(result.messages).toBeGreaterThan(0);
      expect(result.bytes).toBe(result.messages * 64);
    }
    await expect.poll(() => lab.server.connectionCount()).toBe(0);
  });

  it('handshake load completes open + close cycles', async () => {
    const { cycles } = await runHandshakeLoad({ url: `${lab.wsBase}/echo`, concurrency: 2, warmupMs: 20, measureMs: 150 });
    expect(cycles).toBeGreaterThan(0);
    expect(lab.logs.filter((line) => /error|violation/i.test(line))).toEqual([]);
  });
});
