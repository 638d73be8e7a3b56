/**
 * The handshake layer against `ws` as the reference peer (tests only): a ws client must accept
 * our 101, and our client must accept a ws server's 101, permessage-deflate included.
 */
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { createClientHandshake, validateServerResponse } from '../../../src/protocol/handshake/client.ts';
import { HttpHeadReader, parseRequestHead, parseResponseHead } from '../../../src/protocol/handshake/http-head.ts';
import { acceptClientHandshake } from '../../../src/protocol/handshake/server.ts';
import { isRejection } from '../../../src/protocol/handshake/types.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Reads one head off a socket with our reader. */
function readHead(socket: Socket): Promise<Uint8Array> {
  const reader = new HttpHeadReader(16384);
  return new Promise((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      const result = reader.push(chunk);
      if (result === null) return;
      if (isRejection(result)) reject(new Error(result.reason));
      else resolve(result.head);
    });
  });
}

describe('handshake interop with ws (RFC 6455 §4, RFC 7692 §7.1)', () => {
  it('a ws client accepts our 101, with subprotocol and permessage-deflate', async () => {
    const server = createServer((socket) => {
      void readHead(socket).then((head) => {
        const request = parseRequestHead(head);
        if (isRejection(request)) throw new Error(request.reason);
        const result = acceptClientHandshake(request, { subprotocols: ['lab.v1'], deflate: { serverMaxWindowBits: 12 } });
        socket.write(result.response.raw);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const client = new WebSocket(`ws://127.0.0.1:${port}/echo`, ['other', 'lab.v1'], { perMessageDeflate: true });
    cleanups.push(() => client.terminate());
    // 'open' follows 'upgrade' synchronously, so listen for both before awaiting either.
    const upgraded = once(client, 'upgrade');
    const opened = once(client, 'open');
    const [upgrade] = (await upgraded) as [{ headers: Record<string, string | undefined> }];
    await opened;
    expect(client.protocol).toBe('lab.v1');
    expect(client.extensions).toBe('permessage-deflate');
    expect(upgrade.headers['sec-websocket-extensions']).toBe('permessage-deflate; server_max_window_bits=12');
  });

  it('our client accepts the 101 of a ws server, with subprotocol and permessage-deflate', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { clientMaxWindowBits: 11 }, handleProtocols: (set) => (set.has('lab.v1') ? 'lab.v1' : false) });
    await once(wss, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    const { port } = wss.address() as AddressInfo;
    const handshake = createClientHandshake({ host: `127.0.0.1:${port}`, path: '/', protocols: ['lab.v1'], deflate: true });
    const socket = connect({ host: '127.0.0.1', port });
    cleanups.push(() => void socket.destroy());
    const headPromise = readHead(socket);
    socket.write(handshake.request);
    const response = parseResponseHead(await headPromise);
    if (isRejection(response)) throw new Error(response.reason);
    const result = validateServerResponse(response, { key: handshake.key, protocols: handshake.protocols, deflateOffered: true, deflateOffer: handshake.deflateOffer });
    expect(result).toEqual({
      ok: true,
      protocol: 'lab.v1',
      deflate: { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 11 },
    });
  });

  it('a ws server refuses what our server refuses: version 7 is refused by both', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    const { port } = wss.address() as AddressInfo;
    const request = createClientHandshake({ host: `127.0.0.1:${port}`, path: '/', extraHeaders: [] }).request.replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 7');
    const socket = connect({ host: '127.0.0.1', port });
    cleanups.push(() => void socket.destroy());
    const headPromise = readHead(socket);
    socket.write(request);
    const theirs = parseResponseHead(await headPromise);
    if (isRejection(theirs)) throw new Error(theirs.reason);
    const parsed = parseRequestHead(request);
    if (isRejection(parsed)) throw new Error(parsed.reason);
    const ours = acceptClientHandshake(parsed);
    // ws answers 400 for an unsupported version (it still speaks hybi version 8, so 7 is used here);
    // RFC 6455 §4.4 suggests 426 with the versions we speak, which we send.
    expect([400, 426]).toContain(theirs.status);
    expect(ours.ok).toBe(false);
    expect(ours.response.status).toBe(426);
  });
});
