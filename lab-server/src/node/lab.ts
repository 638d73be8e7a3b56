import { randomBytes } from 'node:crypto';
import type { ConnectionEvent } from '../protocol/connection-types.ts';
import type { InspectInfo } from '../reports/lab-report-types.ts';
import { UNREADABLE_COMMAND_ID } from '../reports/lab-command-parse.ts';
import { runLabCommand } from './lab-commands.ts';
import { LabSubjects } from './lab-subjects.ts';
import { LOG_PREFIX, type LogSink } from './log.ts';
import type { WebSocketTransport } from './transport.ts';
import type { TransportHandler } from './transport-handler.ts';

/** Version of the report format in docs/lab-protocol.md; bumped on incompatible changes. */
export const LAB_PROTOCOL_VERSION = 1;

/** Bytes on the observer's socket beyond which reports wait in the observer's own (bounded) queue. */
const OBSERVER_SOCKET_HIGH_WATER = 64 * 1024;

/** No report serializes to fewer characters than {"type":"x","t":0}. */
const SMALLEST_REPORT_CHARS = '{"type":"x","t":0}'.length;

export interface LabSettings {
  readonly log: LogSink;
  readonly recordPreviewBytes: number;
  /** Reports waiting for a slow observer beyond this many bytes of JSON are dropped (and counted). */
  readonly observerQueueBytes: number;
  /** send-large bytes waiting on subjects, server-wide, beyond which send-large is refused (amplification bound). */
  readonly commandQueueBytes: number;
}

/**
 * The /lab sessions. An observer WebSocket (/lab/observe) opens a session; the learner's subject
 * connections (/lab?session=ID) are reported to it. Reports never travel on the connection they
 * describe: that connection would then report its own reports, forever.
 */
export class LabHub {
  readonly settings: LabSettings;
  readonly #sessions = new Map<string, LabSession>();
  /** Sessions opened with ?watch=inspect: every relayed connection (--inspect) is reported to each. */
  readonly #inspectObservers = new Set<LabSession>();
  /** Relayed connections are numbered server-wide: they belong to no session. */
  #nextRelaySubject = 1;
  /**
   * Bytes of send-large messages written to subjects' sockets and not yet taken by the kernel: one
   * small command makes the server hold up to 16 MiB, so the total is bounded for the whole server.
   */
  #commandBytes = 0;

  constructor(settings: LabSettings) {
    this.settings = settings;
  }

  /** A new session; the caller attaches the observer's transport (created with the session as handler). */
  createSession(): LabSession {
    let id = randomBytes(12).toString('base64url');
    while (this.#sessions.has(id)) id = randomBytes(12).toString('base64url');
    const session = new LabSession(this, id);
    this.#sessions.set(id, session);
    return session;
  }

  find(id: string): LabSession | undefined {
    return this.#sessions.get(id);
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** @internal */
  remove(session: LabSession): void {
    this.#sessions.delete(session.id);
    this.#inspectObservers.delete(session);
  }

  /** The session also receives the reports of every relayed (--inspect) connection from now on. */
  watchInspect(session: LabSession): void {
    if (!session.ended) this.#inspectObservers.add(session);
  }

  /** Someone is watching relayed connections (decoding can skip building reports otherwise). */
  get inspectWatched(): boolean {
    return this.#inspectObservers.size > 0;
  }

  /** Books `bytes` of a command's message against the server-wide bound; false (nothing booked) when it would exceed it. */
  reserveCommandBytes(bytes: number): boolean {
    if (this.#commandBytes + bytes > this.settings.commandQueueBytes) return false;
    this.#commandBytes += bytes;
    return true;
  }

  /** The subject's socket took (or dropped) what was booked. */
  releaseCommandBytes(bytes: number): void {
    this.#commandBytes -= bytes;
  }

  get commandBytes(): number {
    return this.#commandBytes;
  }

  nextRelaySubjectNumber(): number {
    return this.#nextRelaySubject++;
  }

  /** One report about a relayed connection, to every inspect observer (each through its own bounded queue). */
  reportRelay(type: string, fields: Record<string, unknown>): void {
    for (const session of this.#inspectObservers) session.report(type, { ...fields, relay: true });
  }
}

/** One observer and the subjects it watches. It is the observer transport's handler. */
export class LabSession implements TransportHandler {
  readonly hub: LabHub;
  readonly id: string;
  /** performance.now() at the session's start: every report's `t` is relative to it. */
  readonly startedAt = performance.now();
  #observer: WebSocketTransport | null = null;
  #nextSubject = 1;
  /** Subjects that commands may act on. */
  readonly subjects = new LabSubjects();
  #queue: string[] = [];
  #queuedBytes = 0;
  #dropped = 0;
  #ended = false;

  constructor(hub: LabHub, id: string) {
    this.hub = hub;
    this.id = id;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Attaches the observer and greets it with the session id, the URL its subject should use and, when
   * the server relays (--inspect), where an application should connect to be inspected.
   */
  attach(observer: WebSocketTransport, subjectUrl: string, inspect: InspectInfo | null = null): void {
    this.#observer = observer;
    this.report('hello', {
      session: this.id,
      subjectUrl,
      protocolVersion: LAB_PROTOCOL_VERSION,
      previewBytes: this.hub.settings.recordPreviewBytes,
      inspect,
    });
    this.hub.settings.log(`${LOG_PREFIX} ${observer.peer} /lab/observe session ${this.id} opened`);
  }

  nextSubjectNumber(): number {
    return this.#nextSubject++;
  }

  /** Milliseconds since the session started, to the microsecond. */
  now(): number {
    return Math.round((performance.now() - this.startedAt) * 1000) / 1000;
  }

  /** Sends one report, or queues it while the observer is slow, or counts it as dropped. */
  report(type: string, fields: Record<string, unknown>): void {
    const observer = this.#observer;
    if (this.#ended || observer === null) return;
    const slow = this.#queue.length > 0 || observer.socket.writableLength > OBSERVER_SOCKET_HIGH_WATER;
    if (slow && (this.#dropped > 0 || this.#queuedBytes + SMALLEST_REPORT_CHARS > this.hub.settings.observerQueueBytes)) {
      // The queue is full (it dropped a report and has not drained since): the report is dropped without
      // being serialized, so a flood of reports for a stuck observer costs no JSON work.
      this.#dropped++;
      return;
    }
    const json = JSON.stringify({ type, t: this.now(), ...fields });
    if (slow) {
      // A slow observer must not stall the subject or hold unbounded memory: queue up to a bound, then drop.
      if (this.#queuedBytes + json.length <= this.hub.settings.observerQueueBytes) {
        this.#queue.push(json);
        this.#queuedBytes += json.length;
      } else {
        this.#dropped++;
      }
      return;
    }
    observer.connection.sendText(json);
    observer.flush();
  }

  onEvent(_observer: WebSocketTransport, event: ConnectionEvent): void {
    // What the observer sends are commands (JSON text, lab-report-types.ts); its close ends the session.
    if (event.type === 'text') runLabCommand(this, event.text);
    else if (event.type === 'binary') {
      this.report('command-result', { id: UNREADABLE_COMMAND_ID, subject: null, ok: false, error: 'commands are JSON text messages, not binary ones' });
    } else if (event.type === 'closed') this.#end();
  }

  onDrain(observer: WebSocketTransport): void {
    while (this.#queue.length > 0 && observer.socket.writableLength <= OBSERVER_SOCKET_HIGH_WATER) {
      const json = this.#queue.shift() as string;
      this.#queuedBytes -= json.length;
      observer.connection.sendText(json);
    }
    if (this.#queue.length === 0 && this.#dropped > 0) {
      const count = this.#dropped;
      this.#dropped = 0;
      observer.connection.sendText(JSON.stringify({ type: 'dropped', t: this.now(), count }));
    }
    observer.flush();
  }

  onSocketClose(observer: WebSocketTransport): void {
    this.#end();
    this.hub.settings.log(`${LOG_PREFIX} ${observer.peer} /lab/observe session ${this.id} ended`);
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.subjects.clear();
    this.hub.remove(this);
  }
}
