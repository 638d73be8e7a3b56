/**
 * A TCP relay between a test's client and the lab server: every byte it forwards is counted and kept,
 * per connection and per direction, so a test can check the server's own byte counts against an
 * independent count taken on the wire (and parse the relayed bytes to check how they split).
 */
import net from 'node:net';

export interface RelayedConnection {
  /** Client to server, every chunk as forwarded. */
  readonly up: Buffer[];
  /** Server to client. */
  readonly down: Buffer[];
  /** Both sides have closed. */
  readonly done: Promise<void>;
}

export interface TcpRelay {
  readonly port: number;
  readonly connections: RelayedConnection[];
  bytesUp(): number;
  bytesDown(): number;
  /** Resolves when every connection seen so far has closed on both sides. */
  allClosed(): Promise<void>;
  close(): Promise<void>;
}

function total(chunks: readonly Buffer[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.length, 0);
}

export async function startTcpRelay(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpRelay> {
  const connections: RelayedConnection[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ port: targetPort, host: targetHost, noDelay: true });
    const up: Buffer[] = [];
    const down: Buffer[] = [];
    let closed = 0;
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const onClose = (): void => {
      if (++closed === 2) resolveDone();
    };
    connections.push({ up, down, done });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('close', onClose);
    }
    // Forward as it comes; a half-close is passed on, so the far side sees the same end of stream.
    client.on('data', (chunk: Buffer) => {
      up.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      down.push(chunk);
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    connections,
    bytesUp: () => connections.reduce((sum, connection) => sum + total(connection.up), 0),
    bytesDown: () => connections.reduce((sum, connection) => sum + total(connection.down), 0),
    allClosed: async () => {
      await Promise.all(connections.map((connection) => connection.done));
    },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
