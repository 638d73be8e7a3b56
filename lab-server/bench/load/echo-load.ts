/**
 * Echo load: every connection keeps a bounded window of messages in flight and sends one more whenever an echo
 * comes back (pipelining). Counts echoes during the measured window after a warm-up; checks every echo's length
 * and the content of a sample of them, so a server that answers wrongly cannot look fast.
 */
import type WebSocket from 'ws';
import { closeAll, openClients } from './open-clients.ts';

export interface EchoLoadOptions {
  readonly url: string;
  readonly connections: number;
  /** Messages in flight per connection. */
  readonly window: number;
  readonly payload: Buffer;
  readonly binary: boolean;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Called at the start and end of the measured window (e.g. to sample the server's CPU time). */
  readonly onMeasureStart?: () => Promise<void>;
  readonly onMeasureEnd?: () => Promise<void>;
}

export interface EchoLoadResult {
  readonly messages: number;
  readonly bytes: number;
  readonly elapsedMs: number;
}

const DRAIN_TIMEOUT_MS = 3000;
/** Compare the full content of one echo in this many (length is checked on all). */
const CONTENT_CHECK_EVERY = 64;

export async function runEchoLoad(options: EchoLoadOptions): Promise<EchoLoadResult> {
  const { payload, binary, window } = options;
  const clients = await openClients(options.url, options.connections, 50, 20_000);
  let counting = false;
  let sending = true;
  let messages = 0;
  let bytes = 0;
  let inFlight = 0;
  let received = 0;
  let failure: Error | null = null;
  let onDrained: (() => void) | null = null;

  const send = (client: WebSocket): void => {
    inFlight++;
    client.send(payload, { binary });
  };
  for (const client of clients) {
    client.on('message', (data: Buffer, isBinary: boolean) => {
      inFlight--;
      received++;
      if (data.length !== payload.length || isBinary !== binary) {
        failure ??= new Error(`bad echo: ${data.length} bytes (binary ${isBinary}), expected ${payload.length} (binary ${binary})`);
      } else if (received % CONTENT_CHECK_EVERY === 0 && !data.equals(payload)) {
        failure ??= new Error('bad echo: content differs from what was sent');
      }
      if (counting) {
        messages++;
        bytes += data.length;
      }
      if (sending) send(client);
      else if (inFlight === 0) onDrained?.();
    });
    client.on('close', () => {
      if (sending) failure ??= new Error('server closed a connection during the echo load');
    });
  }
  for (const client of clients) for (let i = 0; i < window; i++) send(client);

  await sleep(options.warmupMs);
  await options.onMeasureStart?.();
  messages = 0;
  bytes = 0;
  counting = true;
  const start = performance.now();
  await sleep(options.measureMs);
  counting = false;
  const elapsedMs = performance.now() - start;
  await options.onMeasureEnd?.();
  sending = false;
  if (inFlight > 0) {
    await Promise.race([new Promise<void>((resolve) => (onDrained = resolve)), sleep(DRAIN_TIMEOUT_MS)]);
  }
  await closeAll(clients);
  if (failure !== null) throw failure;
  if (messages === 0) throw new Error('no echo arrived during the measured window');
  return { messages, bytes, elapsedMs };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
