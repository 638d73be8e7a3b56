/**
 * /echo hands the buffers of large payloads back for reuse once their echo is written (echo-memory.ts).
 * A buffer reused too early would overwrite an echo still queued on the socket: pipelined large messages,
 * with a client that stops reading for a while so echoes wait in the server's socket, must all come back
 * byte for byte.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { delay, start, type Started } from './helpers.ts';

const KIB = 1024;
const MESSAGES_PER_CONNECTION = 12;
const PAUSE_MS = 300;

let lab: Started;
beforeAll(async () => {
  lab = await start();
});
afterAll(async () => {
  await lab.server.close();
});

/** Sizes above 64 KiB (the spanning payloads that get a buffer of their own), distinct contents. */
function message(connection: number, index: number): { data: Buffer; binary: boolean } {
  const size = 64 * KIB + 1 + ((connection * 7 + index * 13) % 11) * 130 * KIB;
  const binary = index % 3 !== 2;
  const data = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) data[i] = binary ? (i * 31 + connection * 101 + index * 7) & 0xff : 0x21 + ((i + index * 5 + connection) % 90);
  return { data, binary };
}

async function run(connection: number, pauseReading: boolean): Promise<void> {
  const ws = new WebSocket(`${lab.wsBase}/echo`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const sent = Array.from({ length: MESSAGES_PER_CONNECTION }, (_, index) => message(connection, index));
  const received: Array<{ data: Buffer; binary: boolean }> = [];
  const all = new Promise<void>((resolve) => {
    ws.on('message', (data, isBinary) => {
      received.push({ data: data as Buffer, binary: isBinary });
      if (received.length === sent.length) resolve();
    });
  });
  const socket = (ws as unknown as { _socket: import('node:net').Socket })._socket;
  if (pauseReading) socket.pause();
  for (const { data, binary } of sent) ws.send(binary ? data : data.toString('latin1'), { binary });
  if (pauseReading) {
    await delay(PAUSE_MS);
    socket.resume();
  }
  await all;
  ws.close();
  expect(received.length).toBe(sent.length);
  for (let i = 0; i < sent.length; i++) {
    expect(received[i]!.binary, `message ${i} of connection ${connection}: type`).toBe(sent[i]!.binary);
    expect(received[i]!.data.equals(sent[i]!.data), `message ${i} of connection ${connection}: content`).toBe(true);
  }
}

it('pipelined large echoes on several connections come back byte for byte, one reader stalled for a while', async () => {
  await Promise.all([run(0, true), run(1, false), run(2, true)]);
}, 30_000);
