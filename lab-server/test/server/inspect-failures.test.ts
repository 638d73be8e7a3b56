/**
 * /inspect when things go wrong: no --inspect (404), a target that is down (502), refuses (502) or
 * never answers (504), a target that is not this machine (refused at startup), an app that breaks a
 * rule or exceeds the limit (reported; the bytes still pass), and a side that stops reading
 * (backpressure, both ways).
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { clientFrame, eventually, exchange, handshakeHead, parseResponse, start } from './helpers.ts';
import { bigFrameHeader, freePort, observe, ofType } from './inspect-helpers.ts';

describe('refusals', () => {
  it('/inspect without --inspect: 404 saying how to enable it', async () => {
    const lab = await start();
    try {
      const answer = await exchange(lab.port, handshakeHead('/inspect'));
      const response = parseResponse(answer.text);
      expect(response.status).toBe(404);
      expect(response.body).toMatch(/--inspect ws:\/\//);
      expect(response.body.trim().split('\n')).toHaveLength(1);
    } finally {
      await lab.server.close();
    }
  });

  it('a target that is down: the app gets 502 and observers an upstream failure', async () => {
    const closedPort = await freePort();
    const lab = await start({ inspect: { target: new URL(`ws://127.0.0.1:${closedPort}/`) } });
    try {
      const observer = await observe(lab);
      const ws = new WebSocket(`${lab.wsBase}/inspect`);
      const status = await new Promise<number>((resolve, reject) => {
        ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        ws.once('open', () => reject(new Error('opened')));
        ws.once('error', () => undefined);
      });
      expect(status).toBe(502);
      expect(await eventually(() => ofType(observer.reports, 'upstream').length === 1)).toBe(true);
      expect(ofType(observer.reports, 'upstream')[0]).toMatchObject({ state: 'failed', relay: true });
      expect(String(ofType(observer.reports, 'upstream')[0]!['reason'])).toMatch(/ECONNREFUSED/);
      expect(ofType(observer.reports, 'handshake-response')[0]).toMatchObject({ status: 502 });
      ws.terminate();
      observer.ws.close();
    } finally {
      await lab.server.close();
    }
  });

  it('a target that answers without 101: the app gets 502 naming the target\'s status line', async () => {
    const target = await startRawTarget((socket) => socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
    const lab = await start({ inspect: { target: new URL(`ws://127.0.0.1:${target.port}/`) } });
    try {
      const observer = await observe(lab);
      const response = parseResponse((await exchange(lab.port, handshakeHead('/inspect'))).text);
      expect(response.status).toBe(502);
      expect(response.body).toMatch(/the target answered "HTTP\/1\.1 403 Forbidden" instead of 101/);
      expect(await eventually(() => ofType(observer.reports, 'tcp-closed').length === 1)).toBe(true);
      expect(ofType(observer.reports, 'upstream')).toEqual([expect.objectContaining({ state: 'failed' })]);
      observer.ws.close();
    } finally {
      await lab.server.close();
      await target.close();
    }
  });

  it('a target that never answers: 504 after the handshake timeout', async () => {
    const target = await startRawTarget(() => undefined);
    const lab = await start({ inspect: { target: new URL(`ws://127.0.0.1:${target.port}/`), handshakeTimeoutMs: 300 } });
    try {
      const answer = await exchange(lab.port, handshakeHead('/inspect'));
      const response = parseResponse(answer.text);
      expect(response.status).toBe(504);
      expect(response.body).toMatch(/did not answer the handshake within 300 ms/);
      expect(answer.elapsedMs).toBeGreaterThanOrEqual(250);
    } finally {
      await lab.server.close();
      await target.close();
    }
  });

  it('a request for /inspect that is not a WebSocket upgrade is not relayed', async () => {
    const target = await startRawTarget(answer101);
    const lab = await start({ inspect: { target: new URL(`ws://127.0.0.1:${target.port}/`) } });
    try {
      const response = parseResponse((await exchange(lab.port, 'GET /inspect HTTP/1.1\r\nHost: x\r\n\r\n')).text);
      expect(response.status).toBe(400);
      expect(target.sockets).toHaveLength(0);
    } finally {
      await lab.server.close();
      await target.close();
    }
  });

  it('a target that is not this machine is refused at startup unless allowed', async () => {
    await expect(start({ inspect: { target: new URL('ws://192.0.2.1:3000/') } })).rejects.toThrow(
      /192\.0\.2\.1 is not this machine.*--inspect-allow-remote/,
    );
    const allowed = await start({ inspect: { target: new URL('ws://192.0.2.1:3000/'), allowRemote: true } });
    await allowed.server.close();
  });
});

describe('what the relay reports but does not enforce', () => {
  it('an app that breaks a rule: the frame and the violation are reported, the bytes still reach the target', async () => {
    const target = await startRawTarget(answer101);
    const lab = await start({ inspect: { target: new URL(`ws://127.0.0.1:${target.port}/`) } });
    try {
      const observer = await observe(lab);
      const app = await connectRaw(lab.port);
      // Opcode 0x3 is reserved (RFC 6455 §5.2): the relay's decoder fails; the target gets the frame anyway.
      const bad = clientFrame(0x3, Buffer.from('?'));
      const arrived = collect(target.sockets[0]!);
      app.write(bad);
      expect(await eventually(() => arrived().length >= bad.length)).toBe(true);
      expect(arrived()).toEqual(bad);
      // A frame after the violation is relayed too, but no longer decoded.
      const after = clientFrame(0x1, Buffer.from('later'));
      app.write(after);
      expect(await eventually(() => arrived().length === bad.length + after.length)).toBe(true);
      expect(await eventually(() => ofType(observer.reports, 'violation').length === 1)).toBe(true);
      expect(ofType(observer.reports, 'violation')[0]).toMatchObject({ direction: 'client-to-server', closeCode: 1002, relay: true });
      const frames = ofType(observer.reports, 'frame');
      expect(frames).toHaveLength(1);
      expect((frames[0]!['record'] as Record<string, unknown>)['violation']).toMatchObject({ closeCode: 1002 });
      // The other direction is still decoded.
      target.sockets[0]!.write(Buffer.from([0x81, 0x02, 0x6f, 0x6b]));
      expect(await eventually(() => ofType(observer.reports, 'message').length === 1)).toBe(true);
      expect(ofType(observer.reports, 'message')[0]).toMatchObject({ direction: 'server-to-client', text: 'ok' });
      app.destroy();
      observer.ws.close();
    } finally {
      await lab.server.close();
      await target.close();
    }
  });

  it('a target that breaks a rule (a masked frame, RFC 6455 §5.1): reported, and the app still gets the bytes unchanged', async () => {
    const target = await startRawTarget(answer101);
    const lab = await start({ inspect: { target: new URL(`ws://127.0.0.1:${target.port}/`) } });
    try {
      const observer = await observe(lab);
      const app = await connectRaw(lab.port);
      const arrived = collect(app);
      const masked = clientFrame(0x1, Buffer.from('masked by the server'));
      target.sockets[0]!.write(masked);
      expect(await eventually(() => arrived().length === masked.length)).toBe(true);
      expect(arrived()).toEqual(masked);
      expect(await eventually(() => ofType(observer.reports, 'violation').length === 1)).toBe(true);
      expect(ofType(observer.reports, 'violation')[0]).toMatchObject({ direction: 'server-to-client', closeCode: 1002, section: 'RFC 6455 §5.1' });
      app.destroy();
      observer.ws.close();
    } finally {
      await lab.server.close();
      await target.close();
    }
  });

  it('a message over maxMessageBytes is relayed unchanged; decoding that direction stops with a 1009 report', async () => {
    const target = await startRawTarget(answer101);
    const lab = await start({ maxMessageBytes: 1000, inspect: { target: new URL(`ws://127.0.0.1:${target.port}/`) } });
    try {
      const observer = await observe(lab);
      const app = await connectRaw(lab.port);
      const big = clientFrame(0x2, Buffer.alloc(5000, 7));
      const arrived = collect(target.sockets[0]!);
      app.write(big);
      expect(await eventually(() => arrived().length === big.length)).toBe(true);
      expect(arrived()).toEqual(big);
      expect(await eventually(() => ofType(observer.reports, 'violation').length === 1)).toBe(true);
      expect(ofType(observer.reports, 'violation')[0]).toMatchObject({ direction: 'client-to-server', closeCode: 1009 });
      expect(ofType(observer.reports, 'message')).toEqual([]);
      app.destroy();
      observer.ws.close();
    } finally {
      await lab.server.close();
      await target.close();
    }
  });
});

describe('backpressure through the relay (a side that does not read stalls the other, never the relay\'s memory)', () => {
  const MESSAGE_BYTES = 1024 * 1024;
  const MAX_MESSAGES = 64;

  it.each([
    ['the app floods a target that does not read', 'app'],
    ['the target floods an app that does not read', 'target'],
  ])('%s: the writer stalls in its kernel buffers, and nothing is lost once the reader reads', async (_name, flooder) => {
    const target = await startRawTarget(answer101);
    const lab = await start({ maxWriteBufferBytes: 256 * 1024, inspect: { target: new URL(`ws://127.0.0.1:${target.port}/`) } });
    try {
      const app = await connectRaw(lab.port);
      const upstream = target.sockets[0]!;
      const [writer, reader] = flooder === 'app' ? [app, upstream] : [upstream, app];
      reader.pause();
      const payload = Buffer.alloc(MESSAGE_BYTES, 0x61);
      // RFC 6455 §5.1: the app masks (here with an all-zero key, legal, §5.3), the target does not.
      const frame = flooder === 'app' ? Buffer.concat([bigFrameHeader(MESSAGE_BYTES), payload]) : Buffer.concat([serverFrameHeader(MESSAGE_BYTES), payload]);
      const { written, accepted, stalledFor } = await floodUntilStalled(writer, frame, MAX_MESSAGES);
      // Kernel buffers (writer -> relay, relay -> reader) hold some megabytes; a relay that kept reading would take all.
      expect(stalledFor).toBeGreaterThanOrEqual(400);
      expect(accepted).toBeLessThan(40 * MESSAGE_BYTES);

      let received = 0;
      reader.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      reader.resume();
      expect(await eventually(() => received === written * frame.length, 20_000)).toBe(true);
      app.destroy();
    } finally {
      await lab.server.close();
      await target.close();
    }
  }, 60_000);
});

/** Writes `frame` until the kernel stops taking bytes for 400 ms (or maxMessages are written). */
async function floodUntilStalled(socket: net.Socket, frame: Buffer, maxMessages: number): Promise<{ written: number; accepted: number; stalledFor: number }> {
  let written = 0;
  let accepted = -1;
  let stalledFor = 0;
  while (written < maxMessages) {
    if (socket.writableLength < frame.length) {
      socket.write(frame);
      written++;
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = written * frame.length - socket.writableLength;
    if (now === accepted) {
      stalledFor += 20;
      if (stalledFor >= 400) break;
    } else {
      stalledFor = 0;
      accepted = now;
    }
  }
  return { written, accepted, stalledFor };
}

/** RFC 6455 §5.2: FIN + binary, no MASK, 127 + 64-bit length. */
function serverFrameHeader(length: number): Buffer {
  const header = Buffer.alloc(2 + 8);
  header[0] = 0x82;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

interface RawTarget {
  readonly port: number;
  readonly sockets: net.Socket[];
  close(): Promise<void>;
}

/** A TCP server standing in for the app's server; `onHead` decides what it answers to the forwarded head. */
async function startRawTarget(onHead: (socket: net.Socket, head: string) => void): Promise<RawTarget> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (head) => {
      sockets.push(socket);
      onHead(socket, head.toString('latin1'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A valid 101 for the forwarded key (RFC 6455 §4.2.2); the test drives the socket from there. */
function answer101(socket: net.Socket, head: string): void {
  const key = /Sec-WebSocket-Key: (\S+)/i.exec(head)![1]!;
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
}

/** A raw app connection through /inspect, past the relayed 101. */
async function connectRaw(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(handshakeHead('/inspect'));
  const head = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
  expect(parseResponse(head.toString('latin1')).status).toBe(101);
  return socket;
}

/** Everything `socket` receives from now on. */
function collect(socket: net.Socket): () => Buffer {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks);
}
