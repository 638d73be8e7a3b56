/**
 * --inspect on a lab server reachable from the network (--host 0.0.0.0): the target is on loopback, so
 * /inspect and /lab/observe?watch=inspect answer loopback peers only (403 to others) unless
 * --inspect-allow-remote, and the server warns at startup.
 */
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remotePeerRefusal, checkInspectTarget } from '../../src/node/inspect-target.ts';
import { startLabServer, type LabServer } from '../../src/node/server.ts';
import { handshakeHead, parseResponse } from './helpers.ts';
import { startTarget, type Target } from './inspect-helpers.ts';

/** An address of this machine that is not loopback (the test connects from it, so the peer is "remote"). */
const OTHER_ADDRESS = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address;

/** Sends a handshake from `localAddress` and returns the status and one-line body of the answer. */
function ask(port: number, address: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port, localAddress: address });
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const response = parseResponse(text);
      const length = Number(response.headers.get('content-length') ?? 0);
      if (response.status === 101 || Buffer.byteLength(response.body, 'latin1') >= length) {
        socket.destroy();
        resolve({ status: response.status, body: Buffer.from(response.body, 'latin1').toString('utf8') });
      }
    });
    socket.on('error', reject);
    socket.write(handshakeHead(path, { Host: `${address}:${port}` }));
  });
}

describe.skipIf(OTHER_ADDRESS === undefined)(`--host 0.0.0.0 with --inspect (peer ${OTHER_ADDRESS ?? 'none: no non-loopback IPv4 interface'})`, () => {
  let target: Target;
  let lab: LabServer;
  let open: LabServer;
  const logs: string[] = [];
  const openLogs: string[] = [];

  beforeAll(async () => {
    target = await startTarget();
    const inspect = { target: new URL(`ws://127.0.0.1:${target.port}/app`) };
    lab = await startLabServer({ port: 0, host: '0.0.0.0', inspect, log: (line) => logs.push(line) });
    open = await startLabServer({ port: 0, host: '0.0.0.0', inspect: { ...inspect, allowRemote: true }, log: (line) => openLogs.push(line) });
  });
  afterAll(async () => {
    await lab?.close();
    await open?.close();
    await target?.close();
  });

  it.each(['/inspect', '/lab/observe?watch=inspect'])('%s from another machine: 403 with one line naming --inspect-allow-remote', async (path) => {
    const answer = await ask(lab.port, OTHER_ADDRESS!, path);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/this machine only.*--inspect-allow-remote/);
    expect(answer.body.trim().split('\n')).toHaveLength(1);
  });

  it('plain /lab/observe and /echo from another machine still work (the classroom case)', async () => {
    expect((await ask(lab.port, OTHER_ADDRESS!, '/lab/observe')).status).toBe(101);
    expect((await ask(lab.port, OTHER_ADDRESS!, '/echo')).status).toBe(101);
  });

  it.each(['/inspect', '/lab/observe?watch=inspect'])('%s from loopback: 101', async (path) => {
    expect((await ask(lab.port, '127.0.0.1', path)).status).toBe(101);
  });

  it.each(['/inspect', '/lab/observe?watch=inspect'])('%s from another machine with --inspect-allow-remote: 101', async (path) => {
    expect((await ask(open.port, OTHER_ADDRESS!, path)).status).toBe(101);
  });

  it('warns at startup, saying what is refused or what is exposed', () => {
    expect(logs.filter((line) => /warning/.test(line))).toEqual([expect.stringMatching(/0\.0\.0\.0 with --inspect: .*403 to others/)]);
    expect(openLogs.filter((line) => /warning/.test(line))).toEqual([expect.stringMatching(/any machine that reaches this port/)]);
  });
});

describe('remotePeerRefusal', () => {
  it('loopback peers (IPv4, IPv6, IPv4-mapped) pass; others are refused unless allowRemote', async () => {
    const target = await checkInspectTarget({ target: new URL('ws://127.0.0.1:3000/') });
    for (const peer of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect(remotePeerRefusal(target, peer)).toBeNull();
    for (const peer of ['192.168.1.20', '::ffff:10.0.0.1', undefined]) expect(remotePeerRefusal(target, peer)).toMatch(/--inspect-allow-remote/);
    const allowRemote = await checkInspectTarget({ target: new URL('ws://127.0.0.1:3000/'), allowRemote: true });
    expect(remotePeerRefusal(allowRemote, '192.168.1.20')).toBeNull();
  });

  it('a lab server on loopback does not warn', async () => {
    const logs: string[] = [];
    const server = await startLabServer({ port: 0, host: '127.0.0.1', inspect: { target: new URL('ws://127.0.0.1:3000/') }, log: (line) => logs.push(line) });
    await server.close();
    expect(logs.filter((line) => /warning/.test(line))).toEqual([]);
  });
});
