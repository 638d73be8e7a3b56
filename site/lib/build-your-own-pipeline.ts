/**
 * Lesson 13: one message through the lab server's own code, from the client's send to the server's
 * event. A client-role Connection frames and masks it; the wire bytes are cut into the chunks a
 * socket might deliver; a server-role Connection (FrameParser, unmasking, reassembly, UTF-8) reads
 * them chunk by chunk. Every step shows what the core reported, nothing is decoded here.
 */
import { Connection, type ConnectionEvent } from '../../lab-server/src/protocol/index.ts';

/** The masking key of RFC 6455 §5.7's masked example, so the bytes are reproducible. */
export const EXAMPLE_MASKING_KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

export interface PipelineChunk {
  /** Position of the chunk's first byte in the stream. */
  readonly offset: number;
  readonly bytes: Uint8Array;
  /** What the server's Connection reported after receive(chunk) (frame records as one-line summaries). */
  readonly events: readonly string[];
}

export interface PipelineResult {
  readonly wire: Uint8Array;
  /** One per frame the client wrote: "text, FIN=0, masked, 3-byte payload". */
  readonly framesWritten: readonly string[];
  readonly chunks: readonly PipelineChunk[];
  /** The message as the server's application sees it, or null if none completed. */
  readonly delivered: string | null;
}

export interface PipelineInput {
  readonly text: string;
  /** Payload bytes per frame (RFC 6455 §5.4); 0 or less: one frame. */
  readonly fragmentSize: number;
  /** Bytes per socket read; at least 1. */
  readonly chunkSize: number;
}

function summarize(event: ConnectionEvent): string {
  switch (event.type) {
    case 'frame': {
      const r = event.record;
      return `frame: ${r.opcodeName}, FIN=${r.fin ? 1 : 0}, ${r.masked ? 'masked' : 'unmasked'}, ${r.payloadLength}-byte payload (bytes ${r.streamOffset}-${r.streamOffset + r.frameLength - 1})`;
    }
    case 'text':
      return `text message: "${event.text}" (${event.byteLength} UTF-8 bytes)`;
    case 'binary':
      return `binary message: ${event.data.length} bytes`;
    case 'violation':
      return `violation: ${event.violation.reason} (close ${event.violation.closeCode}, ${event.violation.section})`;
    case 'close-received':
      return `close received: ${event.code}`;
    case 'closed':
      return `closed: ${event.code}`;
    default:
      return event.type;
  }
}

export function runPipeline(input: PipelineInput): PipelineResult {
  const client = new Connection({ role: 'client', randomBytes: (length) => EXAMPLE_MASKING_KEY.slice(0, length), recordPreviewBytes: 16 });
  client.sendText(input.text, input.fragmentSize > 0 ? { fragmentSize: input.fragmentSize } : undefined);
  const framesWritten = client.takeEvents()
    .filter((event) => event.type === 'frame')
    .map((event) => {
      const r = (event as Extract<ConnectionEvent, { type: 'frame' }>).record;
      return `${r.opcodeName}, FIN=${r.fin ? 1 : 0}, ${r.masked ? 'masked' : 'unmasked'}, ${r.payloadLength}-byte payload`;
    });
  const pieces = client.takeOutgoing();
  const wire = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let at = 0;
  for (const piece of pieces) {
    wire.set(piece, at);
    at += piece.length;
  }

  const server = new Connection({ role: 'server', recordPreviewBytes: 16 });
  const chunkSize = Math.max(1, Math.floor(input.chunkSize));
  const chunks: PipelineChunk[] = [];
  let delivered: string | null = null;
  for (let offset = 0; offset < wire.length; offset += chunkSize) {
    const bytes = wire.slice(offset, offset + chunkSize);
    server.receive(bytes.slice());
    const events = server.takeEvents();
    for (const event of events) if (event.type === 'text') delivered = event.text;
    chunks.push({ offset, bytes, events: events.map(summarize) });
  }
  return { wire, framesWritten, chunks, delivered };
}
