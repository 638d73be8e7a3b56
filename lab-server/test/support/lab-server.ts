/**
 * Starts the lab server on an ephemeral loopback port for a test file, with its log captured (not printed) so that
 * failures can show what the server said.
 */
import { afterAll, beforeAll } from 'vitest';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { LabServer, LabServerOptions } from '../../src/node/server.ts';

export interface TestServer {
  readonly server: LabServer;
  readonly port: number;
  /** "ws://127.0.0.1:PORT" */
  readonly wsBase: string;
  readonly logs: string[];
  close(): Promise<void>;
}

export async function startTestServer(options: LabServerOptions = {}): Promise<TestServer> {
  const logs: string[] = [];
  // Imported lazily so that WIRE_TARGET=ws runs need no lab server at all.
  const { startLabServer } = await import('../../src/node/server.ts');
  const server = await startLabServer({
    host: '127.0.0.1',
    log: (line: string) => {
      // Keep the last lines only: abuse tests produce thousands.
      if (logs.length > 5000) logs.splice(0, 1000);
      logs.push(line);
    },
    ...options,
    port: 0,
  });
  return {
    server,
    port: server.port,
    wsBase: `ws://127.0.0.1:${server.port}`,
    logs,
    close: () => server.close(),
  };
}

/** Polls until `predicate` holds or the deadline passes; returns whether it held. */
export async function eventually(predicate: () => boolean, timeoutMs: number, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return predicate();
}

export interface EchoTarget {
  readonly port: number;
  /** 'lab' normally; 'ws' when WIRE_TARGET=ws runs the suites against `ws` as a reference, to check the tests. */
  readonly kind: 'lab' | 'ws';
  readonly logs: readonly string[];
  close(): Promise<void>;
}

/**
 * The /echo server the conformance cases talk to. With WIRE_TARGET=ws the same cases run against a `ws` echo server
 * instead: a cross-check of the test expectations against an independent, Autobahn-tested implementation (ws is
 * known to differ on a few points, e.g. it validates UTF-8 only at the end of a message, so fail-fast cases fail).
 */
export async function startEchoTarget(options: { maxMessageBytes?: number } = {}): Promise<EchoTarget> {
  if (process.env['WIRE_TARGET'] === 'ws') {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      perMessageDeflate: { threshold: 0 },
      maxPayload: options.maxMessageBytes ?? 64 * 1024 * 1024,
    });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    server.on('connection', (socket: WebSocket) => {
      socket.on('message', (data, isBinary) => socket.send(data as Buffer, { binary: isBinary }));
      socket.on('error', () => undefined);
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return {
      port,
      kind: 'ws',
      logs: [],
      close: () =>
        new Promise<void>((resolve) => {
          for (const client of server.clients) client.terminate();
          server.close(() => resolve());
        }),
    };
  }
  const target = await startTestServer(options.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.maxMessageBytes });
  return { port: target.port, kind: 'lab', logs: target.logs, close: target.close };
}

/**
 * Starts an echo target before the enclosing describe block's tests and closes it after them.
 * Returns a getter, as the target exists only once beforeAll has run.
 */
export function useEchoTarget(options: { maxMessageBytes?: number } = {}): () => EchoTarget {
  let target: EchoTarget | undefined;
  beforeAll(async () => {
    target = await startEchoTarget(options);
  });
  afterAll(async () => {
    await target?.close();
  });
  return () => {
    if (target === undefined) throw new Error('echo target used outside its describe block');
    return target;
  };
}
