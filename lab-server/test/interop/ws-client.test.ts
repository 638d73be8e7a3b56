/**
 * Interop: the `ws` client (an independent, widely deployed implementation) against the lab server's /echo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { PerMessageDeflateOptions } from 'ws';
import { startTestServer } from '../support/lab-server.ts';
import type { TestServer } from '../support/lab-server.ts';

interface Echo {
  readonly data: Buffer;
  readonly isBinary: boolean;
  /** RSV1 of the message's first frame, read from ws's receiver (not part of ws's public API). */
  readonly compressed: boolean;
}

function open(url: string, perMessageDeflate: boolean | PerMessageDeflateOptions = false): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function nextMessage(socket: WebSocket): Promise<Echo> {
  return new Promise((resolve, reject) => {
    const onClose = (code: number): void => reject(new Error(`closed with ${code} before a message arrived`));
    socket.once('close', onClose);
    socket.once('message', (data, isBinary) => {
      socket.off('close', onClose);
      const receiver = (socket as unknown as { _receiver: { _compressed: boolean } })._receiver;
      resolve({ data: data as Buffer, isBinary, compressed: receiver._compressed });
    });
  });
}

function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

const MIB = 1024 * 1024;
const bigText = 'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(MIB / 45)).slice(0, MIB);
const bigBinary = Uint8Array.from({ length: MIB }, (_, i) => (i * 2654435761) >>> 24);

describe('interop: ws client -> lab server /echo', () => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startTestServer();
    url = `${server.wsBase}/echo`;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('echoes text, empty text, binary and empty binary, with their types (RFC 6455 §5.6)', async () => {
    const socket = await open(url);
    const inputs: [string | Uint8Array, boolean][] = [
      ['Hello, lab server', false],
      ['', false],
      ['κόσμε 𝄞 €', false],
      [Uint8Array.of(0, 1, 2, 0xff), true],
      [new Uint8Array(0), true],
    ];
    for (const [payload, isBinary] of inputs) {
      const reply = nextMessage(socket);
      socket.send(payload, { binary: isBinary });
      const echo = await reply;
      expect(echo.isBinary).toBe(isBinary);
      expect(Buffer.compare(echo.data, Buffer.from(payload))).toBe(0);
    }
    socket.close(1000);
    expect((await closed(socket)).code).toBe(1000);
  });

  it('echoes 1 MiB text and 1 MiB binary', async () => {
    const socket = await open(url);
    let reply = nextMessage(socket);
    socket.send(bigText);
    expect((await reply).data.toString()).toBe(bigText);
    reply = nextMessage(socket);
    socket.send(bigBinary);
    expect(Buffer.compare((await reply).data, Buffer.from(bigBinary))).toBe(0);
    socket.close();
    await closed(socket);
  });

  it('keeps the order of 1,000 small messages', async () => {
    const socket = await open(url);
    const received: string[] = [];
    const all = new Promise<void>((resolve) =>
      socket.on('message', (data) => {
        received.push((data as Buffer).toString());
        if (received.length === 1000) resolve();
      }),
    );
    for (let i = 0; i < 1000; i++) socket.send(`message ${i}`);
    await all;
    expect(received).toEqual(Array.from({ length: 1000 }, (_, i) => `message ${i}`));
    socket.close();
    await closed(socket);
  });

  const deflateVariants: [string, PerMessageDeflateOptions][] = [
    ['default offer', { threshold: 0 }],
    ['no context takeover both ways', { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true }],
    ['server_max_window_bits=10', { threshold: 0, serverMaxWindowBits: 10 }],
    ['client_max_window_bits=9', { threshold: 0, clientMaxWindowBits: 9 }],
  ];
  for (const [name, options] of deflateVariants) {
    it(`permessage-deflate (${name}): negotiated, echoes come back compressed and intact (RFC 7692)`, async () => {
      const socket = await open(url, options);
      expect(socket.extensions).toContain('permessage-deflate');
      const messages = ['Hello', 'Hello', bigText.slice(0, 100_000), bigText.slice(0, 100_000), 'κόσμε'.repeat(500)];
      for (const message of messages) {
        const reply = nextMessage(socket);
        socket.send(message, { compress: true });
        const echo = await reply;
        expect(echo.data.toString()).toBe(message);
        expect(echo.compressed, 'the lab server compresses its echo').toBe(true);
      }
      const reply = nextMessage(socket);
      socket.send(bigBinary, { compress: true });
      expect(Buffer.compare((await reply).data, Buffer.from(bigBinary))).toBe(0);
      socket.close(1000);
      expect((await closed(socket)).code).toBe(1000);
    });
  }

  it('reassembles a message ws sends in fragments (RFC 6455 §5.4)', async () => {
    const socket = await open(url);
    const reply = nextMessage(socket);
    socket.send('frag', { fin: false });
    socket.send('men', { fin: false });
    socket.send('ted', { fin: true });
    const echo = await reply;
    expect(echo.data.toString()).toBe('fragmented');
    expect(echo.isBinary).toBe(false);
    socket.close();
    await closed(socket);
  });

  it('answers pings with the same payload (RFC 6455 §5.5.2)', async () => {
    const socket = await open(url);
    for (const payload of [Buffer.alloc(0), Buffer.from('ping payload'), Buffer.alloc(125, 0xab)]) {
      const pong = new Promise<Buffer>((resolve) => socket.once('pong', (data) => resolve(data)));
      socket.ping(payload);
      expect(Buffer.compare(await pong, payload)).toBe(0);
    }
    socket.close();
    await closed(socket);
  });

  for (const [code, reason] of [
    [1000, 'normal'],
    [1001, 'going away'],
    [3000, 'registered'],
    [4999, 'private use'],
  ] as const) {
    it(`close ${code} from ws is echoed (RFC 6455 §5.5.1)`, async () => {
      const socket = await open(url);
      socket.close(code, reason);
      expect((await closed(socket)).code).toBe(code);
    });
  }

  it('close without a code is answered with an empty close (ws reports 1005) (RFC 6455 §7.1.5)', async () => {
    const socket = await open(url);
    socket.close();
    expect((await closed(socket)).code).toBe(1005);
  });

  it('ws notices nothing wrong: no error events over a busy connection', async () => {
    const socket = await open(url, { threshold: 0 });
    const errors: Error[] = [];
    socket.on('error', (error) => errors.push(error));
    let count = 0;
    const done = new Promise<void>((resolve) =>
      socket.on('message', () => {
        if (++count === 200) resolve();
      }),
    );
    for (let i = 0; i < 100; i++) {
      socket.send(`text ${i} `.repeat(i));
      socket.send(bigBinary.subarray(0, i * 100), { compress: i % 2 === 0 });
      if (i % 10 === 0) socket.ping(`p${i}`);
    }
    await done;
    socket.close(1000);
    expect((await closed(socket)).code).toBe(1000);
    expect(errors).toEqual([]);
  });
});
