/**
 * A copy of bytes that is a copy whatever the array is. Node's Buffer overrides slice() to return a
 * view of the same memory, so `chunk.slice()` on a socket chunk shares bytes that the parser then
 * unmasks in place: a record's "as on the wire" preview would show the unmasked payload. The core
 * takes Uint8Array but is handed Buffers by the lab server, so copies go through here.
 */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, start, end);
}
