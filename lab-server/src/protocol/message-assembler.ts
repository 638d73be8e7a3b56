/**
 * Message assembly (RFC 6455 §5.4, §5.6; RFC 7692 §6): turns the data frames the parser hands on into
 * whole text and binary messages, enforcing the rules that span frames: continuation only inside a
 * message, no new message inside a fragmented one, RSV1 only on a message's first frame, UTF-8 of
 * text (failing fast, at the fragment where the text becomes impossible, RFC 6455 §8.1), and the size
 * bound before and after inflation (RFC 7692 §8.1). Control frames never reach this class.
 *
 * Payloads are retained without copying: the parser hands on views into chunks it owns, or fresh
 * copies, never memory it reuses (see frame/parser.ts). A single-frame message therefore passes its
 * payload view straight on; a fragmented one is joined once, at its final frame.
 */
import { CloseCode, Opcode } from './constants.ts';
import type { MessageCompressor } from './deflate/codec.ts';
import type { Frame } from './frame/types.ts';
import { decodeUtf8, Utf8Validator } from './utf8.ts';
import { violation, type ProtocolViolation } from './violation.ts';

/** A complete message, or the rule the frame broke. */
export type AssemblyResult =
  | { readonly kind: 'text'; readonly text: string; readonly bytes: Uint8Array; readonly compressed: boolean }
  | { readonly kind: 'binary'; readonly data: Uint8Array; readonly compressed: boolean }
  | { readonly kind: 'violation'; readonly violation: ProtocolViolation };

const NO_MESSAGE = 0;
const EMPTY = new Uint8Array(0);

/**
 * Validating and decoding in one native pass: fatal makes invalid UTF-8 throw instead of becoming
 * U+FFFD; ignoreBOM keeps a leading U+FEFF, which is part of the message (RFC 6455 §5.6).
 */
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The most compressed bytes a message of `maxMessageBytes` can take: DEFLATE can expand incompressible
 * data slightly (stored blocks cost 5 bytes per 65535), so the compressed bound is a little above the
 * inflated one; this is zlib's deflateBound() for the worst case, plus room for the block headers.
 */
export function compressedLimit(maxMessageBytes: number): number {
  return Math.min(
    Number.MAX_SAFE_INTEGER,
    maxMessageBytes + Math.ceil(maxMessageBytes / 8) + Math.ceil(maxMessageBytes / 64) + 64,
  );
}

export class MessageAssembler {
  readonly #maxMessageBytes: number;
  readonly #compressor: MessageCompressor | undefined;
  /** Opcode of the fragmented message in progress, or NO_MESSAGE. */
  #opcode: number = NO_MESSAGE;
  #compressed = false;
  #fragments: Uint8Array[] = [];
  #length = 0;
  /** Created on the first fragmented text message: single-frame text is validated while decoding. */
  #validator: Utf8Validator | null = null;
  /** Stream offset of the current frame's payload, when known, to locate UTF-8 errors. */
  #payloadOffset: number | undefined = undefined;

  constructor(maxMessageBytes: number, compressor: MessageCompressor | undefined) {
    this.#maxMessageBytes = maxMessageBytes;
    this.#compressor = compressor;
  }

  /** True while a fragmented message has started and not ended. */
  get inMessage(): boolean {
    return this.#opcode !== NO_MESSAGE;
  }

  /**
   * Takes the next data frame (text, binary or continuation). Returns the completed message, a
   * violation, or null when the message continues. `payloadOffset` is the stream offset of the
   * frame's payload when the caller knows it (recording), for the violation's byteOffset.
   */
  push(frame: Frame, payloadOffset?: number): AssemblyResult | null {
    this.#payloadOffset = payloadOffset;
    const opcode = frame.opcode;
    if (opcode === Opcode.Continuation) {
      if (this.#opcode === NO_MESSAGE) {
        return fail(CloseCode.ProtocolError, 'RFC 6455 §5.4', 'continuation frame without a message to continue');
      }
      if (frame.rsv1) {
        return fail(CloseCode.ProtocolError, 'RFC 7692 §6.1', 'RSV1 set on a continuation frame: only a first frame may have it');
      }
    } else {
      if (this.#opcode !== NO_MESSAGE) {
        return fail(CloseCode.ProtocolError, 'RFC 6455 §5.4',
          'new data frame while a fragmented message is unfinished: expected a continuation frame');
      }
      if (frame.rsv1 && this.#compressor === undefined) {
        return fail(CloseCode.ProtocolError, 'RFC 6455 §5.2', 'RSV1 is set but permessage-deflate was not negotiated');
      }
      if (frame.fin) return this.#single(opcode, frame.rsv1, frame.payload);
      this.#opcode = opcode;
      this.#compressed = frame.rsv1;
      this.#length = 0;
      if (opcode === Opcode.Text && !frame.rsv1) (this.#validator ??= new Utf8Validator()).reset();
    }
    return this.#fragment(frame.payload, frame.fin);
  }

  /** Drops a message in progress (the connection failed or closed). */
  reset(): void {
    this.#opcode = NO_MESSAGE;
    this.#fragments = [];
    this.#length = 0;
  }

  /** The common case: one frame is the whole message, its payload handed on as is. */
  #single(opcode: number, compressed: boolean, payload: Uint8Array): AssemblyResult {
    if (compressed) return this.#inflate(opcode, payload);
    if (payload.length > this.#maxMessageBytes) return this.#tooBig(payload.length);
    if (opcode === Opcode.Binary) return { kind: 'binary', data: payload, compressed: false };
    return this.#decodeText(payload, false);
  }

  #fragment(payload: Uint8Array, fin: boolean): AssemblyResult | null {
    this.#length += payload.length;
    // Compressed fragments are bounded by what the bound allows to inflate to (RFC 7692 §8.1).
    const limit = this.#compressed ? compressedLimit(this.#maxMessageBytes) : this.#maxMessageBytes;
    if (this.#length > limit) {
      const length = this.#length;
      this.reset();
      return this.#tooBig(length);
    }
    if (this.#opcode === Opcode.Text && !this.#compressed && !this.#validator!.push(payload)) {
      // Fail fast (RFC 6455 §8.1): the text can no longer be valid, whatever follows.
      const failedAt = this.#validator!.failedAt;
      const offsetInPayload = failedAt - (this.#length - payload.length);
      this.reset();
      return fail(CloseCode.InvalidPayloadData, 'RFC 6455 §8.1',
        `invalid UTF-8 in text message at byte ${failedAt}`, this.#at(offsetInPayload));
    }
    if (payload.length > 0) this.#fragments.push(payload);
    if (!fin) return null;

    const opcode = this.#opcode;
    const compressed = this.#compressed;
    const message = joinFragments(this.#fragments, this.#length);
    this.reset();
    if (compressed) return this.#inflate(opcode, message);
    if (opcode === Opcode.Binary) return { kind: 'binary', data: message, compressed: false };
    if (!this.#validator!.end()) {
      return fail(CloseCode.InvalidPayloadData, 'RFC 6455 §8.1', 'text message ends inside a UTF-8 sequence',
        this.#at(payload.length));
    }
    return { kind: 'text', text: decodeUtf8(message), bytes: message, compressed: false };
  }

  /** RFC 7692 §7.2.2: inflate the joined payload, bounded by maxMessageBytes (RFC 7692 §8.1). */
  #inflate(opcode: number, payload: Uint8Array): AssemblyResult {
    let message: Uint8Array | null;
    try {
      message = this.#compressor!.decompress(payload, this.#maxMessageBytes);
    } catch {
      return fail(CloseCode.InvalidPayloadData, 'RFC 7692 §7.2.2', 'compressed payload is not valid DEFLATE data');
    }
    if (message === null) {
      return fail(CloseCode.MessageTooBig, 'RFC 7692 §8.1',
        `message inflates to more than this endpoint's limit of ${this.#maxMessageBytes} bytes`);
    }
    if (opcode === Opcode.Binary) return { kind: 'binary', data: message, compressed: true };
    return this.#decodeText(message, true);
  }

  #decodeText(bytes: Uint8Array, compressed: boolean): AssemblyResult {
    let text: string;
    try {
      text = strictDecoder.decode(bytes);
    } catch {
      // Rare path: locate the first bad byte for the learner (and the record).
      const validator = (this.#validator ??= new Utf8Validator());
      validator.reset();
      validator.push(bytes);
      const failedAt = validator.failedAt < 0 ? bytes.length : validator.failedAt;
      const where = failedAt < bytes.length ? `at byte ${failedAt}` : 'at its end (truncated sequence)';
      // RFC 7692 §6.2: the rules of RFC 6455 apply to the message after decompression.
      return fail(CloseCode.InvalidPayloadData, 'RFC 6455 §8.1',
        `invalid UTF-8 in ${compressed ? 'inflated ' : ''}text message ${where}`,
        compressed ? undefined : this.#at(failedAt));
    }
    return { kind: 'text', text, bytes, compressed };
  }

  #tooBig(length: number): AssemblyResult {
    return fail(CloseCode.MessageTooBig, 'RFC 6455 §7.4.1',
      `message of ${length}+ bytes exceeds this endpoint's limit of ${this.#maxMessageBytes}`);
  }

  #at(offsetInPayload: number): number | undefined {
    return this.#payloadOffset === undefined ? undefined : this.#payloadOffset + offsetInPayload;
  }
}

function fail(closeCode: CloseCode, section: string, reason: string, byteOffset?: number): AssemblyResult {
  return { kind: 'violation', violation: violation(closeCode, section, reason, byteOffset) };
}

/** The single copy a fragmented message costs. */
function joinFragments(fragments: readonly Uint8Array[], length: number): Uint8Array {
  if (fragments.length === 0) return EMPTY;
  if (fragments.length === 1) return fragments[0]!;
  const message = new Uint8Array(length);
  let at = 0;
  for (const fragment of fragments) {
    message.set(fragment, at);
    at += fragment.length;
  }
  return message;
}
