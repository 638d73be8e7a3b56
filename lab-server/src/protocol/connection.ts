/**
 * One WebSocket connection after the opening handshake, sans-I/O (the python-websockets model): the
 * host feeds it bytes with receive(), hands it the application's sends, and drains two queues —
 * takeEvents() for what happened, takeOutgoing() for the bytes to write. No sockets, no timers, no
 * node: imports, so the same state machine runs in the lab server and in a browser visualizer.
 *
 *   open --close() / sendRawFrame(close)--> closing --peer's close--> closed (wasClean)
 *   open --peer's close--> closing --our answering close written--> closed (wasClean)
 *   open --violation (RFC 6455 §7.1.7)--> closing --our failing close written--> closed (not clean)
 *   open|closing --receiveEnd()--> closed (not clean, 1006)
 *
 * The close frame the connection owes (the answer to the peer's close, or the close of a failure) is
 * written only once the host has drained the events that came before it: at the first takeEvents()
 * that has nothing else to report, or at takeOutgoing(), whichever comes first. So a message the host
 * sends in reaction to those events (an echo of the text that arrived in the same TCP segment as the
 * close) still goes out before the close frame, as RFC 6455 §5.5.1 allows ("An endpoint MAY delay
 * sending a Close frame until its current message is sent"). Hosts therefore drain in a loop:
 * takeEvents() until it returns [], then takeOutgoing().
 *
 * On 'closed' the host closes the TCP connection: the server first, so that the TIME_WAIT state
 * stays on the server (RFC 6455 §7.1.1); a client waits a little for the server to do it.
 */
import { encodeText } from './byte-pool.ts';
import { CONTROL_OPCODE_MASK, CloseCode, DEFAULT_MAX_MESSAGE_BYTES, Opcode } from './constants.ts';
import type { ConnectionEvent, ConnectionOptions, ConnectionState } from './connection-types.ts';
import type { MessageCompressor } from './deflate/codec.ts';
import { encodeClosePayload, isCloseViolation, parseClosePayload } from './frame/close-payload.ts';
import { FrameParser } from './frame/parser.ts';
import type { OutgoingFrame } from './frame/serializer.ts';
import type { Frame, FrameRecord, Role } from './frame/types.ts';
import { withInflated } from './inflated-record.ts';
import { compressedLimit, MessageAssembler } from './message-assembler.ts';
import { Outbox, type SendOptions } from './outbox.ts';
import { FrameWriter } from './outgoing.ts';
import { violation, type ProtocolViolation } from './violation.ts';

export type { SendOptions };

const EMPTY = new Uint8Array(0);

export class Connection {
  readonly #role: Role;
  readonly #parser: FrameParser;
  /**
   * The assembler and the outbox are made on first use (the first data frame; the first frame we
   * write or the first step out of 'open'), the events array on the first event: an idle connection
   * (thousands of them on a server) then costs only this object and its parser.
   */
  #assembler: MessageAssembler | null = null;
  #outboxOrNull: Outbox | null = null;
  readonly #maxMessageBytes: number;
  readonly #randomBytes: ((length: number) => Uint8Array) | undefined;
  readonly #compressor: MessageCompressor | undefined;
  readonly #autoPong: boolean;
  /** recordPreviewBytes, -1 when not recording. */
  readonly #previewBytes: number;
  #events: ConnectionEvent[] | null = null;
  /** Input is ignored from now on: the peer's close arrived, the connection failed, or the transport ended. */
  #inputDone = false;

  constructor(options: ConnectionOptions) {
    const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!(maxMessageBytes >= 0)) throw new RangeError(`maxMessageBytes must be >= 0, got ${maxMessageBytes}`);
    this.#role = options.role;
    this.#compressor = options.compressor;
    this.#autoPong = options.autoPong ?? true;
    // A frame longer than any acceptable message fails with 1009 as soon as its length is read, before
    // a byte of it is buffered; compressed frames may be slightly longer than what they inflate to.
    this.#parser = new FrameParser({
      role: options.role,
      allowRsv1: options.compressor !== undefined,
      maxFramePayload: options.compressor === undefined ? maxMessageBytes : compressedLimit(maxMessageBytes),
      ...(options.recordPreviewBytes === undefined ? {} : { recordPreviewBytes: options.recordPreviewBytes }),
      ...(options.allocate === undefined ? {} : { allocate: options.allocate }),
    });
    this.#maxMessageBytes = maxMessageBytes;
    this.#randomBytes = options.randomBytes;
    this.#previewBytes = options.recordPreviewBytes ?? -1;
  }

  get #outbox(): Outbox {
    return this.#outboxOrNull ??= new Outbox(new FrameWriter(this.#role, this.#randomBytes,
      this.#previewBytes < 0 ? undefined : this.#previewBytes,
      this.#previewBytes < 0 ? null : (record) => this.#emit({ type: 'frame', record })), this.#compressor);
  }

  #assemblerForData(): MessageAssembler {
    return this.#assembler ??= new MessageAssembler(this.#maxMessageBytes, this.#compressor);
  }

  #emit(event: ConnectionEvent): void {
    if (this.#events === null) this.#events = [event];
    else this.#events.push(event);
  }

  get state(): ConnectionState {
    return this.#outboxOrNull === null ? 'open' : this.#outboxOrNull.state;
  }

  get role(): Role {
    return this.#role;
  }

  /** Bytes from the transport, in any chunking. Takes ownership of `data` (payloads are unmasked in place). */
  receive(data: Uint8Array): void {
    if (this.#inputDone) return;
    const frames = this.#parser.push(data);
    for (let i = 0; i < frames.length; i++) {
      this.#handleFrame(frames[i]!);
      // After the peer's close or a failure, later frames of the same chunk are ignored too.
      if (this.#inputDone) return;
    }
    const broken = this.#parser.violation;
    if (broken !== null) this.#fail(broken, this.#parser.violationRecord);
  }

  /** The transport ended (EOF or error). Before a completed closing handshake that is 1006 (RFC 6455 §7.1.5). */
  receiveEnd(): void {
    if (this.#outboxOrNull?.state === 'closed') return;
    this.#stopInput();
    this.#emit(this.#outbox.transportEnded());
  }

  /** Returns false when dropped: our close frame was already sent (RFC 6455 §5.5.1). */
  sendText(text: string, options?: SendOptions): boolean {
    // Checked here too, so that a dropped text is not encoded.
    if (this.#outboxOrNull !== null && !this.#outboxOrNull.canSend) return false;
    return this.#outbox.sendMessage(Opcode.Text, encodeText(text), options);
  }

  /**
   * Sends a text message whose UTF-8 the caller already holds and knows to be valid (RFC 6455 §5.6),
   * e.g. the bytes of a received 'text' event: no encoding, no copy for a server. Invalid UTF-8 here
   * would make the peer fail the connection with 1007 (§8.1). Same ownership rule as sendBinary.
   */
  sendTextBytes(utf8: Uint8Array, options?: SendOptions): boolean {
    return this.#outbox.sendMessage(Opcode.Text, utf8, options);
  }

  /** Unmasked (server) payloads are written without a copy: do not change `data` until it is written. */
  sendBinary(data: Uint8Array, options?: SendOptions): boolean {
    return this.#outbox.sendMessage(Opcode.Binary, data, options);
  }

  ping(data: Uint8Array = EMPTY): boolean {
    return this.#outbox.sendControl(Opcode.Ping, data);
  }

  /** An unsolicited pong is a unidirectional heartbeat (RFC 6455 §5.5.3). */
  pong(data: Uint8Array = EMPTY): boolean {
    return this.#outbox.sendControl(Opcode.Pong, data);
  }

  /**
   * Starts the closing handshake (RFC 6455 §7.1.2). No code sends an empty close payload. Throws
   * RangeError for a code that may not be sent, a reason without a code, or a reason over 123 bytes
   * of UTF-8 (RFC 6455 §5.5.1, §7.4). Returns false when a close frame was already sent or is owed
   * (the peer's close is being answered, or the connection failed).
   */
  close(code?: number, reason?: string): boolean {
    const payload = encodeClosePayload(code, reason);
    return this.#outbox.close(payload);
  }

  /**
   * Teaching: writes any frame as is, bypassing every check (the peer will judge it). A client's frame
   * is masked with a fresh key when maskingKey is absent; null writes it unmasked. A close frame
   * written this way counts as our close (the state becomes 'closing').
   */
  sendRawFrame(frame: OutgoingFrame): void {
    this.#outbox.writeRaw(frame);
  }

  /**
   * Drains the events, in the order they happened. When none are left and a close frame is owed, it
   * is written now and its record (when recording) and 'closed' are returned: call until [].
   */
  takeEvents(): ConnectionEvent[] {
    if (this.#events === null) {
      if (this.#outboxOrNull === null || !this.#outboxOrNull.owesClose) return [];
      this.#emit(this.#outboxOrNull.payOwed());
    }
    const events = this.#events!;
    this.#events = null;
    return events;
  }

  /** Drains the chunks to write, in order (writing an owed close frame last; see the file comment). */
  takeOutgoing(): Uint8Array[] {
    const outbox = this.#outboxOrNull;
    if (outbox === null) return [];
    if (outbox.owesClose) this.#emit(outbox.payOwed());
    return outbox.take();
  }

  #handleFrame(frame: Frame): void {
    const opcode = frame.opcode;
    if (opcode < CONTROL_OPCODE_MASK) return this.#handleData(frame);
    // RFC 7692 §6.1: control frames are never compressed, so RSV1 stays a reserved bit on them.
    if (frame.rsv1) {
      return this.#fail(violation(CloseCode.ProtocolError, 'RFC 7692 §6.1',
        'RSV1 set on a control frame: only data messages may be compressed', frame.record?.streamOffset), frame.record);
    }
    if (opcode === Opcode.Close) return this.#handleClose(frame);
    if (frame.record !== undefined) this.#emit({ type: 'frame', record: frame.record });
    if (opcode === Opcode.Ping) {
      this.#emit({ type: 'ping', data: frame.payload });
      if (this.#autoPong) this.#outbox.answerPing(frame.payload);
    } else {
      this.#emit({ type: 'pong', data: frame.payload });
    }
  }

  #handleData(frame: Frame): void {
    const record = frame.record;
    const result = this.#assemblerForData().push(frame, record === undefined ? undefined : record.streamOffset + record.headerLength);
    if (result === null) {
      if (record !== undefined) this.#emit({ type: 'frame', record });
      return;
    }
    if (result.kind === 'violation') return this.#fail(result.violation, record);
    if (result.kind === 'text') {
      if (record !== undefined) this.#emitFinalRecord(record, result.compressed ? result.bytes : null);
      this.#emit({ type: 'text', text: result.text, byteLength: result.bytes.length, compressed: result.compressed, bytes: result.bytes });
    } else {
      if (record !== undefined) this.#emitFinalRecord(record, result.compressed ? result.data : null);
      this.#emit({ type: 'binary', data: result.data, compressed: result.compressed });
    }
  }

  #emitFinalRecord(record: FrameRecord, inflated: Uint8Array | null): void {
    this.#emit({ type: 'frame', record: inflated === null ? record : withInflated(record, inflated, this.#previewBytes) });
  }

  /** RFC 6455 §5.5.1: the peer's close frame. */
  #handleClose(frame: Frame): void {
    const parsed = parseClosePayload(frame.payload);
    const record = frame.record;
    if (isCloseViolation(parsed)) {
      const at = record === undefined ? undefined : record.streamOffset + record.headerLength;
      return this.#fail(at === undefined ? parsed : violation(parsed.closeCode, parsed.section, parsed.reason, at), record);
    }
    if (record !== undefined) this.#emit({ type: 'frame', record });
    // Nothing the peer sends after its close frame counts (RFC 6455 §5.5.1); a message it left
    // unfinished is dropped.
    this.#stopInput();
    this.#emit({ type: 'close-received', code: parsed.code, reason: parsed.reason });
    const closed = this.#outbox.peerClosed(parsed.code, parsed.reason);
    if (closed !== null) this.#emit(closed);
  }

  /** _Fail the WebSocket Connection_ (RFC 6455 §7.1.7). */
  #fail(broken: ProtocolViolation, record: FrameRecord | null | undefined): void {
    this.#stopInput();
    if (record !== null && record !== undefined) {
      this.#emit({ type: 'frame', record: record.violation === undefined ? { ...record, violation: broken } : record });
    }
    this.#emit({ type: 'violation', violation: broken });
    const closed = this.#outbox.failed(broken);
    if (closed !== null) this.#emit(closed);
  }

  #stopInput(): void {
    this.#inputDone = true;
    this.#assembler?.reset();
  }
}
