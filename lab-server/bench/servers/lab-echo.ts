/**
 * Child process: the lab server (its `/echo` endpoint), silent, with room for the idle-connection figure.
 * BENCH_LAB_SERVER_MODULE may name another copy of server.ts (absolute path), to measure a candidate change
 * against the same `ws` run before touching the real code.
 */
import { pathToFileURL } from 'node:url';
import type { LabServer, LabServerOptions } from '../../src/node/server.ts';
import { serveBenchChild } from './child-protocol.ts';

/** Above the idle-memory figure's 10,000 connections plus the load generator's spares. */
const BENCH_MAX_CONNECTIONS = 50_000;

const override = process.env['BENCH_LAB_SERVER_MODULE'];
const modulePath = override !== undefined && override !== '' ? pathToFileURL(override).href : '../../src/node/server.ts';
const { startLabServer } = (await import(modulePath)) as {
  startLabServer: (options: LabServerOptions) => Promise<LabServer>;
};

await serveBenchChild(async () => {
  const server = await startLabServer({
    host: '127.0.0.1',
    port: 0,
    maxConnections: BENCH_MAX_CONNECTIONS,
    log: () => {},
  });
  return {
    port: server.port,
    path: '/echo',
    info: `lab server (${override !== undefined && override !== '' ? override : 'lab-server/src/node/server.ts'}), Node ${process.version}, unmasking: ${server.unmasking ?? 'WebAssembly'}, ` +
      `freed C heap kept: ${server.keptFreedHeapBytes === undefined || server.keptFreedHeapBytes === null ? 'C library default' : `${server.keptFreedHeapBytes / 1024 / 1024} MiB`}`,
    connectionCount: () => server.connectionCount(),
    close: () => server.close(),
  };
});
