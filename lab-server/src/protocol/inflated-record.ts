import { copyBytes } from './copy-bytes.ts';
import type { FrameRecord } from './frame/types.ts';

/**
 * The record of a compressed message's final frame, showing what the message inflates to (RFC 7692
 * §7.2): the bytes on the wire alone mean little to a learner. The preview is a copy, cut to the same
 * size as the frame's payload preview; the length is always the whole message's.
 */
export function withInflated(record: FrameRecord, message: Uint8Array, previewBytes: number): FrameRecord {
  const length = message.length;
  return {
    ...record,
    inflated: { preview: copyBytes(message, 0, Math.min(previewBytes, length)), length, truncated: length > previewBytes },
  };
}
