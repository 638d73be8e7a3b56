/** Opens WebSocket clients (the `ws` client, the same for both servers) with bounded concurrency and time. */
import WebSocket from 'ws';

export const CLIENT_OPTIONS = { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 } as const;

export function openClient(url: string, timeoutMs = 10_000): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, CLIENT_OPTIONS);
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`WebSocket open timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Opens `count` clients, at most `concurrency` handshakes in flight; fails as a whole after `deadlineMs`. */
export async function openClients(url: string, count: number, concurrency: number, deadlineMs: number): Promise<WebSocket[]> {
  const clients: WebSocket[] = [];
  const deadline = Date.now() + deadlineMs;
  let started = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (started < count && !failed) {
      if (Date.now() > deadline) throw new Error(`opened only ${clients.length} of ${count} clients in ${deadlineMs} ms`);
      started++;
      const client = await openClient(url);
      client.on('error', () => {});
      // A late arrival after another worker failed is not handed to anyone: close it here.
      if (failed) client.terminate();
      else clients.push(client);
    }
  };
  const workers = Array.from({ length: Math.min(concurrency, count) }, () =>
    worker().catch((error: unknown) => {
      failed = true;
      throw error;
    }),
  );
  try {
    await Promise.all(workers);
  } catch (error) {
    // Let the other workers finish their handshake in flight (each is bounded by its own timeout).
    await Promise.allSettled(workers);
    terminateAll(clients);
    throw error;
  }
  return clients;
}

export function terminateAll(clients: readonly WebSocket[]): void {
  for (const client of clients) client.terminate();
}

/** Closes clients with the closing handshake, bounded in time; stragglers are terminated. */
export async function closeAll(clients: readonly WebSocket[], timeoutMs = 3000): Promise<void> {
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve) => {
          if (client.readyState === WebSocket.CLOSED) {
            resolve();
            return;
          }
          const timer = setTimeout(() => {
            client.terminate();
            resolve();
          }, timeoutMs);
          client.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          client.close(1000);
        }),
    ),
  );
}
