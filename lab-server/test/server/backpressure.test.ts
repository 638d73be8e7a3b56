/**
 * Backpressure: a client that sends large messages to /echo and never reads its replies must not make
 * the server buffer without bound. The server stops reading that socket (so the client's writes stall
 * in the kernel) and resumes, losing nothing, once the client reads again.
 */
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { delay, handshakeHead, parseResponse, start, type Started } from './helpers.ts';

const MESSAGE_BYTES = 1024 * 1024;
const MAX_MESSAGES = 96;
/** RFC 6455 §5.2: FIN + binary, MASK + 127, 64-bit length, then the masking key. */
const HEADER_BYTES = 2 + 8 + 4;
const SERVER_HEADER_BYTES = 2 + 8;

let lab: Started;
beforeAll(async () => {
  lab = await start({ maxWriteBufferBytes: 1024 * 1024 });
});
afterAll(async () => {
  await lab.server.close();
});

function bigFrame(payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = 0x82;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(payload.length), 2);
  // All-zero masking key: the masked payload equals the payload (legal, RFC 6455 §5.3), and we reuse one buffer.
  return Buffer.concat([header, payload]);
}

it('a client that never reads stalls the server reading, memory stays bounded, and nothing is lost after it reads', async () => {
  const socket = net.connect(lab.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(handshakeHead('/echo'));
  const head = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
  expect(parseResponse(head.toString('latin1')).status).toBe(101);
  socket.pause(); // from now on we read nothing: the server's replies pile up on its side

  global.gc?.();
  const baseline = process.memoryUsage().arrayBuffers;
  const frame = bigFrame(Buffer.alloc(MESSAGE_BYTES, 0x61));
  let written = 0;
  let lastAccepted = -1;
  let stalledFor = 0;
  let peakGrowth = 0;
  while (written < MAX_MESSAGES) {
    if (socket.writableLength < MESSAGE_BYTES) {
      socket.write(frame);
      written++;
      continue;
    }
    await delay(20);
    peakGrowth = Math.max(peakGrowth, process.memoryUsage().arrayBuffers - baseline);
    const accepted = written * frame.length - socket.writableLength;
    if (accepted === lastAccepted) {
      stalledFor += 20;
      if (stalledFor >= 400) break;
    } else {
      stalledFor = 0;
      lastAccepted = accepted;
    }
  }
  // The kernel's socket buffers hold some megabytes; a server that kept reading would take all 96 MiB.
  expect(stalledFor).toBeGreaterThanOrEqual(400);
  expect(lastAccepted).toBeLessThan(48 * MESSAGE_BYTES);
  // Our write buffer (<= 1 MiB) + the server's (bound + one message) + its partial frame: a few MiB, not tens.
  expect(peakGrowth).toBeLessThan(24 * MESSAGE_BYTES);

  // Now read: every message we managed to send comes back, in full.
  const expected = written * (SERVER_HEADER_BYTES + MESSAGE_BYTES);
  let received = head.length - head.toString('latin1').indexOf('\r\n\r\n') - 4;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  socket.resume();
  const deadline = Date.now() + 20_000;
  while (received < expected && Date.now() < deadline) await delay(20);
  expect(received).toBe(expected);
  socket.destroy();
}, 60_000);
