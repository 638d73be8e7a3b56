import { randomBytes } from 'node:crypto';
import { acceptSteps } from '../protocol/handshake/accept.ts';
import type { ServerHandshakeResult } from '../protocol/handshake/server.ts';
import type { ConnectionEvent } from '../protocol/connection-types.ts';
import type { FrameRecord } from '../protocol/frame/types.ts';
import type { ProtocolViolation } from '../protocol/violation.ts';
import { frameRecordToJson, textPreview, toHex, violationToJson } from '../reports/frame-record-json.ts';
import { UNREADABLE_COMMAND_ID } from '../reports/lab-command-parse.ts';
import { runLabCommand } from './lab-commands.ts';
import { LabSubjects } from './lab-subjects.ts';
import { LOG_PREFIX, type LogSink } from './log.ts';
import type { TransportHandler, WebSocketTransport } from './transport.ts';

/** Version of the report format in docs/lab-protocol.md; bumped on incompatible changes. */
export const LAB_PROTOCOL_VERSION = 1;

/** Bytes on the observer's socket beyond which reports wait in the observer's own (bounded) queue. */
const OBSERVER_SOCKET_HIGH_WATER = 64 * 1024;

export interface LabSettings {
  readonly log: LogSink;
  readonly recordPreviewBytes: number;
  /** Reports waiting for a slow observer beyond this many bytes of JSON are dropped (and counted). */
  readonly observerQueueBytes: number;
}

/**
 * The /lab sessions. An observer WebSocket (/lab/observe) opens a session; the learner's subject
 * connections (/lab?session=ID) are reported to it. Reports never travel on the connection they
 * describe: that connection would then report its own reports, forever.
 */
export class LabHub {
  readonly settings: LabSettings;
  readonly #sessions = new Map<string, LabSession>();

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

  /** Attaches the observer and greets it with the session id and the URL its subject should use. */
  attach(observer: WebSocketTransport, subjectUrl: string): void {
    this.#observer = observer;
    this.report('hello', {
      session: this.id,
      subjectUrl,
      protocolVersion: LAB_PROTOCOL_VERSION,
      previewBytes: this.hub.settings.recordPreviewBytes,
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
    const json = JSON.stringify({ type, t: this.now(), ...fields });
    if (this.#queue.length > 0 || observer.socket.writableLength > OBSERVER_SOCKET_HIGH_WATER) {
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

/** What the server saw of a subject's opening handshake. */
export interface SubjectHandshake {
  readonly peer: string;
  readonly target: string;
  /** The request head exactly as received (ISO-8859-1: one char per byte). */
  readonly rawRequest: string;
  readonly result: ServerHandshakeResult;
}

/** Reports the opening handshake of a subject, accepted or not (rejections teach as much). */
export function reportHandshake(session: LabSession, subject: number, handshake: SubjectHandshake): void {
  const { result } = handshake;
  session.report('subject', { subject, peer: handshake.peer, target: handshake.target });
  session.report('handshake-request', { subject, raw: handshake.rawRequest });
  if (result.ok) {
    session.report('accept', { subject, ...acceptSteps(result.key) });
  }
  session.report('handshake-response', {
    subject,
    status: result.response.status,
    raw: result.response.raw,
    ...(result.ok ? {} : { reason: result.rejection.reason, section: result.rejection.section }),
  });
  if (result.ok) {
    session.report('negotiated', {
      subject,
      protocol: result.protocol,
      extensions: result.extensionsHeader,
      deflate: result.deflate,
      declinedOffers: result.declinedOffers,
    });
  }
}

/**
 * A learner's connection on /lab: echoes like /echo, and reports every frame, message, violation and
 * the close to its session's observer.
 */
export class LabSubject implements TransportHandler {
  readonly session: LabSession;
  readonly subject: number;
  readonly #previewBytes: number;
  /** permessage-deflate was negotiated, so the echo goes out compressed (RFC 7692 §6). */
  readonly #compressing: boolean;
  #transport: WebSocketTransport | null = null;
  /** The rule the next frame the server writes breaks on purpose (a `violation` command), for its report. */
  #violationNext: ProtocolViolation | null = null;

  constructor(session: LabSession, subject: number, compressing: boolean) {
    this.session = session;
    this.subject = subject;
    this.#compressing = compressing;
    this.#previewBytes = session.hub.settings.recordPreviewBytes;
  }

  /** The subject's connection is running: observers' commands may act on it from now on. */
  attach(transport: WebSocketTransport): void {
    this.#transport = transport;
    if (!this.session.ended) this.session.subjects.add(this);
  }

  get transport(): WebSocketTransport | null {
    return this.#transport;
  }

  get compressing(): boolean {
    return this.#compressing;
  }

  get isOpen(): boolean {
    return this.#transport !== null && this.#transport.connection.state === 'open';
  }

  /** The next frame written to the subject breaks `violation` on purpose: its frame report will say so. */
  expectViolation(violation: ProtocolViolation): void {
    this.#violationNext = violation;
  }

  onEvent(transport: WebSocketTransport, event: ConnectionEvent): void {
    const { session, subject } = this;
    switch (event.type) {
      case 'frame':
        session.report('frame', { subject, direction: event.record.direction, record: frameRecordToJson(this.#judged(event.record)) });
        break;
      case 'text': {
        session.report('message', { subject, direction: 'client-to-server', opcodeName: 'text', byteLength: event.byteLength, compressed: event.compressed, ...textPreview(event.text, this.#previewBytes) });
        transport.connection.sendText(event.text);
        this.reportTextSent(event.text, event.byteLength, this.#compressing);
        break;
      }
      case 'binary': {
        const preview = this.#binaryPreview(event.data);
        session.report('message', { subject, direction: 'client-to-server', opcodeName: 'binary', byteLength: event.data.length, compressed: event.compressed, ...preview });
        transport.connection.sendBinary(event.data);
        this.reportBinarySent(event.data, this.#compressing, preview);
        break;
      }
      case 'ping':
      case 'pong':
        session.report(event.type, { subject, direction: 'client-to-server', hex: toHex(event.data) });
        break;
      case 'close-received':
        session.report('close-received', { subject, code: event.code, reason: event.reason });
        break;
      case 'violation':
        session.report('violation', { subject, ...violationToJson(event.violation) });
        break;
      case 'closed':
        session.report('closed', { subject, code: event.code, reason: event.reason, wasClean: event.wasClean });
        break;
    }
  }

  onBackpressure(_transport: WebSocketTransport, state: 'paused' | 'drained', bufferedBytes: number): void {
    this.session.report('backpressure', { subject: this.subject, state, bufferedBytes });
  }

  onSocketClose(): void {
    this.session.subjects.remove(this);
    this.session.report('tcp-closed', { subject: this.subject });
  }

  /** A text message the server sent (an echo or a command's), as a `message` report. */
  reportTextSent(text: string, byteLength: number, compressed: boolean): void {
    this.session.report('message', { subject: this.subject, direction: 'server-to-client', opcodeName: 'text', byteLength, compressed, ...textPreview(text, this.#previewBytes) });
  }

  reportBinarySent(data: Uint8Array, compressed: boolean, preview = this.#binaryPreview(data)): void {
    this.session.report('message', { subject: this.subject, direction: 'server-to-client', opcodeName: 'binary', byteLength: data.length, compressed, ...preview });
  }

  /** The record of a frame written to break a rule carries the client's verdict, at its place in the stream. */
  #judged(record: FrameRecord): FrameRecord {
    const violation = this.#violationNext;
    if (violation === null || record.direction !== 'server-to-client') return record;
    this.#violationNext = null;
    return { ...record, violation: { ...violation, byteOffset: record.streamOffset + (violation.byteOffset ?? 0) } };
  }

  #binaryPreview(data: Uint8Array): { hex: string; truncated: boolean } {
    const truncated = data.length > this.#previewBytes;
    return { hex: toHex(truncated ? data.subarray(0, this.#previewBytes) : data), truncated };
  }
}
