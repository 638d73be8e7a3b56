/**
 * Our side of a connection: the frames we send and whether we still may (RFC 6455 §5.5.1, §7.1). It
 * checks the application's sends and compresses their messages before the FrameWriter frames them,
 * and keeps the closing handshake's bookkeeping: whether our close frame is out, the close frame we
 * owe, and the connection's state. When an owed close is written is the connection's business (see
 * connection.ts), which makes its outbox on first use: an idle connection holds none of this.
 */
import { CloseCode, MAX_CONTROL_PAYLOAD, Opcode } from './constants.ts';
import { answerToClose, closeForViolation, type OwedClose } from './closing-handshake.ts';
import type { ConnectionEvent, ConnectionState } from './connection-types.ts';
import type { MessageCompressor } from './deflate/codec.ts';
import type { OutgoingFrame } from './frame/serializer.ts';
import type { FrameWriter } from './outgoing.ts';
import type { ProtocolViolation } from './violation.ts';

export interface SendOptions {
  /** Split the message into frames of at most this many payload bytes (RFC 6455 §5.4). */
  readonly fragmentSize?: number;
  /** Compress with permessage-deflate; default true when a compressor is present, ignored without one. */
  readonly compress?: boolean;
}

export type ClosedEvent = Extract<ConnectionEvent, { readonly type: 'closed' }>;

export class Outbox {
  readonly #writer: FrameWriter;
  readonly #compressor: MessageCompressor | undefined;
  #state: ConnectionState = 'open';
  /** Our close frame is queued: no further frames from us (RFC 6455 §5.5.1). */
  #closeSent = false;
  /** The close frame we owe, written after the host has drained the events before it. */
  #owed: OwedClose | null = null;

  constructor(writer: FrameWriter, compressor: MessageCompressor | undefined) {
    this.#writer = writer;
    this.#compressor = compressor;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get canSend(): boolean {
    return !this.#closeSent && this.#state !== 'closed';
  }

  get owesClose(): boolean {
    return this.#owed !== null;
  }

  /** Returns false when dropped: our close frame was already sent (RFC 6455 §5.5.1). */
  sendMessage(opcode: number, data: Uint8Array, options: SendOptions | undefined): boolean {
    if (!this.canSend) return false;
    const fragmentSize = options?.fragmentSize;
    if (fragmentSize !== undefined && (!Number.isSafeInteger(fragmentSize) || fragmentSize < 1)) {
      throw new RangeError(`fragmentSize must be a positive integer, got ${fragmentSize}`);
    }
    const compressor = options?.compress === false ? undefined : this.#compressor;
    // RFC 7692 §6.1: the whole message is compressed, then the compressed bytes are fragmented.
    const payload = compressor === undefined ? data : compressor.compress(data);
    this.#writer.writeMessage(opcode, payload, compressor !== undefined, fragmentSize, data);
    return true;
  }

  sendControl(opcode: number, data: Uint8Array): boolean {
    if (data.length > MAX_CONTROL_PAYLOAD) {
      throw new RangeError(`control frame payload is ${data.length} bytes; at most ${MAX_CONTROL_PAYLOAD} (RFC 6455 §5.5)`);
    }
    if (!this.canSend) return false;
    this.#writer.write({ fin: true, opcode, payload: data });
    return true;
  }

  answerPing(payload: Uint8Array): void {
    // RFC 6455 §5.5.2/§5.5.3: answer with a Pong carrying the same Application data, unless our close
    // is already out (nothing may follow it).
    if (!this.#closeSent) this.#writer.write({ fin: true, opcode: Opcode.Pong, payload });
  }

  /** Starts the closing handshake (RFC 6455 §7.1.2); false when a close frame was already sent or is owed. */
  close(payload: Uint8Array): boolean {
    if (!this.canSend || this.#owed !== null) return false;
    this.#writer.write({ fin: true, opcode: Opcode.Close, payload });
    this.#closeSent = true;
    this.#state = 'closing';
    return true;
  }

  /** sendRawFrame: no checks, but a close frame written this way counts as ours. */
  writeRaw(frame: OutgoingFrame): void {
    this.#writer.write(frame);
    if (frame.opcode === Opcode.Close) {
      this.#closeSent = true;
      if (this.#state === 'open') this.#state = 'closing';
    }
  }

  /**
   * The peer's valid close frame (RFC 6455 §5.5.1). Returns 'closed' when it answers ours, or null when
   * we now owe the answer.
   */
  peerClosed(code: number, reason: string): ClosedEvent | null {
    // RFC 6455 §7.1.5: the connection's close code is the one in the first close frame received.
    if (this.#closeSent) return this.#closed(code, reason, true);
    // "It SHOULD do so as soon as practical": once the host has drained the events before it.
    this.#state = 'closing';
    this.#owed = answerToClose(code, reason);
    return null;
  }

  /** _Fail the WebSocket Connection_ (RFC 6455 §7.1.7). Returns 'closed', or null when a close is now owed. */
  failed(broken: ProtocolViolation): ClosedEvent | null {
    // "...SHOULD send a Close frame with an appropriate status code" unless the closing handshake has
    // already begun on our side.
    if (this.#closeSent) return this.#closed(broken.closeCode, broken.reason, false);
    this.#state = 'closing';
    this.#owed = closeForViolation(broken);
    return null;
  }

  /** Writes the close frame we owe: the handshake is then over on our side. */
  payOwed(): ClosedEvent {
    const owed = this.#owed!;
    this.#owed = null;
    // A close the host wrote meanwhile with sendRawFrame counts: only one close frame is ever sent.
    if (!this.#closeSent) {
      this.#writer.write({ fin: true, opcode: Opcode.Close, payload: owed.payload });
      this.#closeSent = true;
    }
    return this.#closed(owed.code, owed.reason, owed.wasClean);
  }

  /** The transport ended before the closing handshake was complete. */
  transportEnded(): ClosedEvent {
    const owed = this.#owed;
    this.#owed = null;
    // The close we owed can no longer be sent: the handshake did not complete (RFC 6455 §7.1.5). The
    // peer's close code, or the violation's, still says why the connection ended.
    return owed === null
      ? this.#closed(CloseCode.AbnormalClosure, '', false)
      : this.#closed(owed.code, owed.reason, false);
  }

  /** Drains the chunks to write, in order. */
  take(): Uint8Array[] {
    return this.#writer.take();
  }

  #closed(code: number, reason: string, wasClean: boolean): ClosedEvent {
    this.#state = 'closed';
    return { type: 'closed', code, reason, wasClean };
  }
}
