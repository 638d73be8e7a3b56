/**
 * ws /pvp/ws: WebSocket push on the core Connection. Each event goes out as one text frame; the client
 * sends its upstream messages as text frames. Bytes come from the core's frame records (headerLength,
 * payloadLength for every frame both ways, control frames included), so the split between frame headers
 * (RFC 6455 §5.2: 2 to 14 bytes, with the client's masking key) and payload is exact.
 */
import { CloseCode, Opcode } from '../../protocol/constants.ts';
import type { ConnectionEvent } from '../../protocol/connection-types.ts';
import { PushTransport } from '../../reports/push-vs-poll-types.ts';
import { LOG_PREFIX } from '../log.ts';
import type { WebSocketTransport } from '../transport.ts';
import type { TransportHandler } from '../transport-handler.ts';
import { PushLimits } from './limits.ts';
import type { HistoryEntry, PushRun, PushSubscriber } from './run.ts';
import type { RunCounters } from './run-counters.ts';
import { parseUpstream } from './upstream.ts';

export class PushSocket implements TransportHandler, PushSubscriber {
  readonly transport = PushTransport.WebSocket;
  readonly client: number;
  readonly run: PushRun;
  /** The counters of the start this connection belongs to: its late close frame counts there too. */
  readonly counters: RunCounters;
  /** Says the start that this connection has finished (its closing handshake done, or the socket gone). */
  readonly #release: () => void;
  readonly #log: (line: string) => void;
  #socket: WebSocketTransport | null = null;
  /** The event whose frame is being written, so its record is reported with its sequence number. */
  #sending: HistoryEntry | null = null;
  #sent: number;
  /** Header and payload bytes of the data frames of the upstream message being received. */
  #upHeaders = 0;
  #upPayload = 0;

  constructor(run: PushRun, client: number, log: (line: string) => void) {
    this.run = run;
    this.client = client;
    this.#log = log;
    this.counters = run.counters;
    this.#release = this.counters.hold();
    this.#sent = run.pushStartAfter(this.counters, PushTransport.WebSocket, client);
  }

  /** The handshake is done: catch up on the events created before (first connection only), then push. */
  attach(socket: WebSocketTransport): void {
    this.#socket = socket;
    this.counters.track(this.transport, this.client, this.#sent + 1);
    this.run.subscribe(this);
    this.eventCreated();
  }

  eventCreated(): void {
    const socket = this.#socket;
    if (socket === null || socket.connection.state !== 'open') return;
    for (const entry of this.run.entriesAfter(this.#sent)) {
      this.#sending = entry;
      socket.connection.sendText(entry.json);
      socket.pump(); // hands the frame to the socket, and its record to onEvent below
      this.#sending = null;
      this.#sent = entry.event.seq;
      this.counters.delivered(this.transport, this.client, [entry], performance.now());
      if (socket.socket.writableLength > PushLimits.maxPushQueueBytes) {
        const reason = `too slow: more than ${PushLimits.maxPushQueueBytes} bytes waiting`;
        this.#log(`${LOG_PREFIX} /pvp/ws client ${this.client} of run ${this.run.id} dropped: ${reason}`);
        this.end(reason);
        return;
      }
    }
  }

  /** The run stopped (1000), a newer connection of the same client took over, or the client is too slow (1008). */
  end(reason: string): void {
    this.run.unsubscribe(this);
    const code = reason.startsWith('too slow') ? CloseCode.PolicyViolation : CloseCode.Normal;
    this.#socket?.close(code, reason);
  }

  /** The handshake failed or was refused: nothing of this connection is under way. */
  abandon(): void {
    this.#release();
  }

  onEvent(socket: WebSocketTransport, event: ConnectionEvent): void {
    const { run, client, transport, counters } = this;
    switch (event.type) {
      case 'frame': {
        const { record } = event;
        if (record.direction === 'client-to-server') {
          counters.count(transport, client, (counters) => {
            counters.upHeaders += record.headerLength;
            counters.upPayload += record.payloadLength;
          });
          if (record.opcode < Opcode.Close) {
            this.#upHeaders += record.headerLength;
            this.#upPayload += record.payloadLength;
          }
          return;
        }
        counters.count(transport, client, (counters) => {
          counters.responses++;
          counters.downHeaders += record.headerLength;
          counters.downPayload += record.payloadLength;
        });
        const entry = this.#sending;
        run.exchange({ transport, kind: 'frame', direction: 'down', headerBytes: record.headerLength, payloadBytes: record.payloadLength,
          events: entry === null ? [] : [entry.event.seq], label: entry === null ? `${record.opcodeName} frame` : `text frame, event ${entry.event.seq}` }, client, counters);
        return;
      }
      case 'text': {
        const headerBytes = this.#upHeaders;
        const payloadBytes = this.#upPayload;
        this.#upHeaders = this.#upPayload = 0;
        run.exchange({ transport, kind: 'upstream', direction: 'up', headerBytes, payloadBytes, events: [], label: `text frame (${payloadBytes} bytes)` }, client, counters);
        // Held to the same rule as a POST body; a WebSocket has no 400, so the answer is a close with the reason.
        if (typeof parseUpstream(event.text) === 'string') {
          socket.close(CloseCode.PolicyViolation, 'upstream messages are JSON: {"seq":N,"sentAt":MS,"text":"..."}');
          return;
        }
        counters.count(transport, client, (counters) => {
          counters.upstreamMessages++;
        });
        return;
      }
      case 'binary':
        socket.close(CloseCode.UnsupportedData, 'upstream messages are JSON text frames');
        return;
      case 'closed':
        run.unsubscribe(this);
        this.#release();
        return;
      default:
        return;
    }
  }

  onSocketClose(): void {
    this.run.unsubscribe(this);
    this.#release();
  }
}
