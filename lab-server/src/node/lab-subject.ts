import { Opcode } from '../protocol/constants.ts';
import { acceptSteps } from '../protocol/handshake/accept.ts';
import type { ServerHandshakeResult } from '../protocol/handshake/server.ts';
import type { ConnectionEvent } from '../protocol/connection-types.ts';
import type { FrameRecord } from '../protocol/frame/types.ts';
import type { ProtocolViolation } from '../protocol/violation.ts';
import { frameRecordToJson, textPreview, toHex, violationToJson } from '../reports/frame-record-json.ts';
import type { LabSession } from './lab.ts';
import type { WebSocketTransport } from './transport.ts';
import type { TransportHandler } from './transport-handler.ts';

/**
 * The subject side of a /lab session: how a learner's connection is reported (its handshake, then every
 * frame, message, violation and close), and the echo it gets.
 */

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

/** The server's frame that completes a data message: FIN on a text, binary or continuation frame (RFC 6455 §5.4). */
function endsSentMessage(record: FrameRecord): boolean {
  return record.direction === 'server-to-client' && record.fin && record.violation === undefined &&
    (record.opcode === Opcode.Text || record.opcode === Opcode.Binary || record.opcode === Opcode.Continuation);
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
  /**
   * `message` reports of messages the server is sending, oldest first: each is reported right after
   * the `frame` report of its final frame (docs/lab-protocol.md: frames first, then the message), since
   * the frames' records only come out of the connection when the transport pumps its events.
   */
  #sentMessages: Record<string, unknown>[] = [];
  /** Bytes of command messages booked against the hub's bound, released when the socket drains or goes. */
  #commandBytes = 0;

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
        if (endsSentMessage(event.record)) {
          const message = this.#sentMessages.shift();
          if (message !== undefined) session.report('message', message);
        }
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
        this.#sentMessages = [];
        session.report('closed', { subject, code: event.code, reason: event.reason, wasClean: event.wasClean });
        break;
    }
  }

  /**
   * Books a command's message against the server-wide bound before it is written; false when the
   * bound would be exceeded. Released by settleCommandBytes, onDrain or onSocketClose.
   */
  reserveCommandBytes(bytes: number): boolean {
    if (!this.session.hub.reserveCommandBytes(bytes)) return false;
    this.#commandBytes += bytes;
    return true;
  }

  /** After writing: what the socket did not have to queue (below its high-water mark) needs no booking. */
  settleCommandBytes(): void {
    if (this.#transport === null || !this.#transport.socket.writableNeedDrain) this.#releaseCommandBytes();
  }

  /** The socket's write buffer emptied: every booked byte reached the kernel. */
  onDrain(): void {
    this.#releaseCommandBytes();
  }

  #releaseCommandBytes(): void {
    this.session.hub.releaseCommandBytes(this.#commandBytes);
    this.#commandBytes = 0;
  }

  onBackpressure(_transport: WebSocketTransport, state: 'paused' | 'drained', bufferedBytes: number): void {
    this.session.report('backpressure', { subject: this.subject, state, bufferedBytes });
  }

  onSocketClose(): void {
    this.#releaseCommandBytes();
    this.session.subjects.remove(this);
    this.session.report('tcp-closed', { subject: this.subject });
  }

  /** A text message the server is sending (an echo or a command's): reported after its last frame. */
  reportTextSent(text: string, byteLength: number, compressed: boolean): void {
    this.#sentMessages.push({ subject: this.subject, direction: 'server-to-client', opcodeName: 'text', byteLength, compressed, ...textPreview(text, this.#previewBytes) });
  }

  reportBinarySent(data: Uint8Array, compressed: boolean, preview = this.#binaryPreview(data)): void {
    this.#sentMessages.push({ subject: this.subject, direction: 'server-to-client', opcodeName: 'binary', byteLength: data.length, compressed, ...preview });
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
