/**
 * The report side of /pvp/observe: JSON reports to the page, queued (bounded) while the page reads
 * slowly, dropped and counted beyond the bound, like the /lab observer (lab.ts). A run never waits for
 * its observer.
 */
import type { PushReport } from '../../reports/push-vs-poll-types.ts';
import type { WebSocketTransport } from '../transport.ts';
import { PushLimits } from './limits.ts';

export class ObserverChannel {
  readonly transport: WebSocketTransport;
  #queue: string[] = [];
  #queuedBytes = 0;
  #dropped = 0;

  constructor(transport: WebSocketTransport) {
    this.transport = transport;
  }

  /** Reports lost to a slow observer so far (logged when the run ends). */
  get dropped(): number {
    return this.#dropped;
  }

  send(report: PushReport): void {
    const transport = this.transport;
    if (transport.connection.state !== 'open') return;
    const json = JSON.stringify(report);
    if (this.#queue.length > 0 || transport.socket.writableLength > PushLimits.observerSocketHighWater) {
      if (this.#queuedBytes + json.length <= PushLimits.observerQueueBytes) {
        this.#queue.push(json);
        this.#queuedBytes += json.length;
      } else {
        this.#dropped++;
      }
      return;
    }
    transport.connection.sendText(json);
    transport.flush();
  }

  /** The observer's socket drained: send what waited, in order. */
  drain(): void {
    const transport = this.transport;
    while (this.#queue.length > 0 && transport.socket.writableLength <= PushLimits.observerSocketHighWater) {
      const json = this.#queue.shift() as string;
      this.#queuedBytes -= json.length;
      transport.connection.sendText(json);
    }
    transport.flush();
  }

  clear(): void {
    this.#queue = [];
    this.#queuedBytes = 0;
  }
}
