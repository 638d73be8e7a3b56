/**
 * Abuse: 1,000 hostile connections (50 at a time) against a lab server running in a child process with --expose-gc:
 * malformed handshakes (garbage, huge heads, wrong versions, bad keys, half a head then silence) and malformed frames
 * after a good handshake (seeded random bytes, truncated frames then EOF, reserved opcodes, giant lengths).
 * Every connection must end within bounds with an HTTP error, a close frame, or a clean TCP close; afterwards the server
 * still echoes, holds no connection, and its memory is back near where it started.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binary, concatBytes, frame, Op, randomBytes, seededRandom, text } from '../support/frame-builder.ts';
import { startChildServer } from '../support/child-server.ts';
import type { ChildServer } from '../support/child-server.ts';
import { RawClient, RFC_EXAMPLE_KEY } from '../support/raw-client.ts';

const HANDSHAKE_TIMEOUT_MS = 300;
const MAX_HEAD_BYTES = 8 * 1024;
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Longest any single abusive connection may take to be dealt with. */
const PER_CONNECTION_DEADLINE_MS = 4000;
const CONNECTIONS = 1000;
const CONCURRENCY = 50;
/** A leak of one 16 KiB buffer per connection would add ~16 MiB over 1,000 connections; allow far less. */
const MEMORY_GROWTH_LIMIT = 4 * 1024 * 1024;

type Outcome = 'http-error' | 'close-frame' | 'tcp-close';
interface Result {
  readonly kind: string;
  readonly outcome: Outcome | 'FAILED';
  readonly detail: string;
  readonly closedByServer: boolean;
}

const goodHead = (port: number, extra: string[] = [], path = '/echo'): string =>
  [
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    ...extra,
    '',
    '',
  ].join('\r\n');
const withKey = (key: string | null, version = '13'): string[] => [
  ...(key === null ? [] : [`Sec-WebSocket-Key: ${key}`]),
  `Sec-WebSocket-Version: ${version}`,
];

interface Attack {
  readonly kind: string;
  /** Bytes before the handshake completes (the whole head, or garbage). */
  readonly head: (port: number, random: () => number) => Uint8Array | string;
  /** Bytes after a 101 (frames); when absent, no 101 is expected. */
  readonly frames?: (random: () => number) => Uint8Array;
  /** Half-close our side after writing (an EOF in the middle of something). */
  readonly endAfterWrite?: boolean;
}

const encoder = new TextEncoder();
const handshakeAttacks: Attack[] = [
  { kind: 'random garbage', head: (_, random) => randomBytes(1 + Math.floor(random() * 2000), random) },
  {
    kind: 'random garbage ending in CRLFCRLF',
    head: (_, random) => concatBytes(randomBytes(1 + Math.floor(random() * 500), random), encoder.encode('\r\n\r\n')),
  },
  { kind: 'huge head', head: (port) => goodHead(port, [...withKey(RFC_EXAMPLE_KEY), `X-Pad: ${'a'.repeat(MAX_HEAD_BYTES * 2)}`]) },
  { kind: 'huge head, many headers', head: (port) => goodHead(port, [...withKey(RFC_EXAMPLE_KEY), ...Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`)]) },
  { kind: 'wrong version 8', head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY, '8')) },
  { kind: 'wrong version garbage', head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY, '13, 14')) },
  { kind: 'missing key', head: (port) => goodHead(port, withKey(null)) },
  { kind: 'short key (15-byte nonce)', head: (port) => goodHead(port, withKey('AAAAAAAAAAAAAAAAAAAA')) },
  { kind: 'non-base64 key', head: (port) => goodHead(port, withKey('!!!!!!!!!!!!!!!!!!!!!!==')) },
  { kind: 'two keys', head: (port) => goodHead(port, [`Sec-WebSocket-Key: ${RFC_EXAMPLE_KEY}`, ...withKey(RFC_EXAMPLE_KEY)]) },
  { kind: 'POST upgrade', head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY)).replace(/^GET/, 'POST') },
  { kind: 'HTTP/1.0 upgrade', head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY)).replace('HTTP/1.1', 'HTTP/1.0') },
  { kind: 'unknown WebSocket path', head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY), '/nope') },
  { kind: 'NUL bytes in a header', head: (port) => goodHead(port, [...withKey(RFC_EXAMPLE_KEY), 'X-Bad: a\u0000b']) },
  { kind: 'bare LF line endings', head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY)).replaceAll('\r\n', '\n') + '\r\n\r\n' },
  { kind: 'half a head, then silence', head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY)).slice(0, 40) },
  { kind: 'nothing at all', head: () => '' },
  { kind: 'half a head, then EOF', head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY)).slice(0, 60), endAfterWrite: true },
];

const frameAttacks: Attack[] = [
  { kind: 'random bytes after the handshake', head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY)), frames: (random) => randomBytes(1 + Math.floor(random() * 4096), random), endAfterWrite: true },
  {
    kind: 'truncated frame then EOF',
    head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY)),
    frames: (random) => {
      const whole = binary(randomBytes(200 + Math.floor(random() * 2000), random));
      return whole.subarray(0, 1 + Math.floor(random() * (whole.length - 2)));
    },
    endAfterWrite: true,
  },
  {
    kind: 'reserved opcode',
    head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY)),
    frames: (random) => frame({ opcode: [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf][Math.floor(random() * 10)]!, payload: 'x' }),
  },
  { kind: 'giant declared length', head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY)), frames: (random) => frame({ opcode: Op.Binary, declaredLength: (1n << 62n) + BigInt(Math.floor(random() * 1000)) }) },
  { kind: 'length MSB set', head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY)), frames: () => frame({ opcode: Op.Text, declaredLength: 1n << 63n }) },
  { kind: 'unmasked frame', head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY)), frames: () => text('unmasked', { maskingKey: null }) },
  {
    kind: 'valid message then garbage',
    head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY)),
    frames: (random) => concatBytes(text('ok'), randomBytes(64, random)),
    endAfterWrite: true,
  },
  { kind: 'unfinished fragmented message, then EOF', head: (port) => goodHead(port, withKey(RFC_EXAMPLE_KEY)), frames: () => binary(new Uint8Array(10), { fin: false }), endAfterWrite: true },
];

const attacks = [...handshakeAttacks, ...frameAttacks];

/** Runs one hostile connection and classifies how it ended. */
async function attack(port: number, which: Attack, seed: number): Promise<Result> {
  const random = seededRandom(seed);
  const client = await RawClient.connect(port);
  const started = Date.now();
  try {
    const head = which.head(port, random);
    if (head.length > 0) await client.send(typeof head === 'string' ? encoder.encode(head) : head);
    if (which.frames !== undefined) {
      await client.waitFor(() => client.response !== null || client.tcpEnd !== null, PER_CONNECTION_DEADLINE_MS, 'a response');
      if (client.response?.status === 101) await client.send(which.frames(random));
    }
    if (which.endAfterWrite === true) client.end();
    const end = await client.waitClosed(PER_CONNECTION_DEADLINE_MS);
    const elapsed = Date.now() - started;
    const status = client.response?.status ?? null;
    const closeFrame = client.events.find((event) => event.type === 'close');
    const invalid = client.events.find((event) => event.type === 'invalid-frame');
    const detail = `status ${status}, close ${closeFrame?.type === 'close' ? closeFrame.code : '-'}, tcp ${end.how}, ${elapsed} ms`;
    const closedByServer = end.how === 'fin' || end.how === 'reset' || (which.endAfterWrite === true && end.how === 'client-fin');
    if (invalid !== undefined) return { kind: which.kind, outcome: 'FAILED', detail: `server sent an invalid frame: ${detail}`, closedByServer };
    if (status !== null && status >= 400) return { kind: which.kind, outcome: 'http-error', detail, closedByServer };
    if (status === 101 && closeFrame !== undefined) return { kind: which.kind, outcome: 'close-frame', detail, closedByServer };
    // Nothing (or only a 101) came back: acceptable only as a clean close, never as a reset.
    if (end.how === 'reset' || end.how === 'error') return { kind: which.kind, outcome: 'FAILED', detail: `reset without an answer: ${detail}`, closedByServer };
    if (status !== null && status !== 101) return { kind: which.kind, outcome: 'FAILED', detail: `unexpected status: ${detail}`, closedByServer };
    return { kind: which.kind, outcome: 'tcp-close', detail, closedByServer };
  } catch (error) {
    return { kind: which.kind, outcome: 'FAILED', detail: `${(error as Error).message.slice(0, 300)}`, closedByServer: false };
  } finally {
    client.destroy();
  }
}

async function runPool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  });
  await Promise.all(workers);
  return results;
}

async function echoWorks(port: number): Promise<string> {
  const client = await RawClient.open({ port });
  try {
    await client.send(text('still alive'));
    await client.waitForEvents(1, 3000);
    await client.send(concatBytes(frame({ opcode: Op.Close, payload: Uint8Array.of(0x03, 0xe8) })));
    await client.waitClosed(3000);
    const first = client.events[0];
    return first?.type === 'text' ? first.text : `unexpected: ${JSON.stringify(first)}`;
  } finally {
    client.destroy();
  }
}

async function waitForZeroConnections(server: ChildServer, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = await server.connectionCount();
  while (count !== 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    count = await server.connectionCount();
  }
  return count;
}

describe('abuse: 1,000 hostile connections against a lab server in a child process', () => {
  let server: ChildServer;
  beforeAll(async () => {
    server = await startChildServer({ handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS, maxHeadBytes: MAX_HEAD_BYTES, maxMessageBytes: MAX_MESSAGE_BYTES });
  });
  afterAll(async () => {
    await server?.close();
  });

  it(`every hostile connection ends within ${PER_CONNECTION_DEADLINE_MS} ms with an HTTP error, a close frame or a clean close; the server survives, holds no connection and does not leak`, async () => {
    // Warm-up: the same mix once, so that lazily created structures and JIT code exist before the baseline.
    const warmup = await runPool(attacks.length * 3, CONCURRENCY, (i) => attack(server.port, attacks[i % attacks.length]!, 10_000 + i));
    expect(warmup.filter((result) => result.outcome === 'FAILED').map((r) => `${r.kind}: ${r.detail}`)).toEqual([]);
    expect(await waitForZeroConnections(server, 3000)).toBe(0);
    const baseline = await server.memory();

    const started = Date.now();
    const results = await runPool(CONNECTIONS, CONCURRENCY, (i) => attack(server.port, attacks[i % attacks.length]!, i + 1));
    const elapsed = Date.now() - started;

    const failures = results.filter((result) => result.outcome === 'FAILED');
    expect(failures.slice(0, 20).map((r) => `${r.kind}: ${r.detail}`), `${failures.length} failed connections`).toEqual([]);
    const notClosed = results.filter((result) => !result.closedByServer);
    expect(notClosed.slice(0, 20).map((r) => `${r.kind}: ${r.detail}`), 'connections the server did not close itself').toEqual([]);

    // Each kind always ends the same way (a seeded mix, so the tally is deterministic up to timing).
    const tally = new Map<string, Map<string, number>>();
    for (const result of results) {
      const byOutcome = tally.get(result.kind) ?? new Map<string, number>();
      byOutcome.set(result.outcome, (byOutcome.get(result.outcome) ?? 0) + 1);
      tally.set(result.kind, byOutcome);
    }
    const summary = [...tally].map(([kind, outcomes]) => `${kind}: ${[...outcomes].map(([o, n]) => `${o} x${n}`).join(', ')}`);
    console.log(`abuse: ${CONNECTIONS} connections in ${elapsed} ms\n  ${summary.join('\n  ')}`);
    expect(tally.get('huge head')?.get('http-error'), 'huge heads get an HTTP error (431)').toBe(tally.get('huge head') ? [...tally.get('huge head')!.values()].reduce((a, b) => a + b) : -1);
    expect([...(tally.get('reserved opcode')?.keys() ?? [])]).toEqual(['close-frame']);
    expect([...(tally.get('wrong version 8')?.keys() ?? [])]).toEqual(['http-error']);
    expect([...(tally.get('missing key')?.keys() ?? [])]).toEqual(['http-error']);

    expect(await echoWorks(server.port)).toBe('still alive');
    expect(await waitForZeroConnections(server, 3000), 'connectionCount() after the storm').toBe(0);

    const after = await server.memory();
    const growth = after.heapUsed + after.arrayBuffers - (baseline.heapUsed + baseline.arrayBuffers);
    console.log(
      `abuse memory: heapUsed ${baseline.heapUsed} -> ${after.heapUsed}, arrayBuffers ${baseline.arrayBuffers} -> ${after.arrayBuffers}, growth ${growth} bytes`,
    );
    expect(growth, `server memory growth after ${CONNECTIONS} connections (heapUsed + arrayBuffers)`).toBeLessThan(MEMORY_GROWTH_LIMIT);
  }, 90_000);

  it(`a silent connection is closed after the handshake timeout (${HANDSHAKE_TIMEOUT_MS} ms)`, async () => {
    const client = await RawClient.connect(server.port);
    try {
      const started = Date.now();
      await client.send('GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      await client.waitClosed(5000);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT_MS - 50);
      expect(elapsed).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 1500);
    } finally {
      client.destroy();
    }
  });
});
