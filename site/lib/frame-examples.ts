/** Frames worth pasting, most from RFC 6455 §5.7; each set as hex plus the direction it travels. */
import type { Direction } from '../../lab-server/src/protocol/frame/types.ts';

export interface FrameExample {
  readonly id: string;
  readonly label: string;
  readonly hex: string;
  readonly direction: Direction;
}

export const FRAME_EXAMPLES: readonly FrameExample[] = [
  { id: 'hello', label: '§5.7 "Hello", unmasked', hex: '81 05 48 65 6c 6c 6f', direction: 'server-to-client' },
  { id: 'masked-hello', label: '§5.7 "Hello", masked', hex: '81 85 37 fa 21 3d 7f 9f 4d 51 58', direction: 'client-to-server' },
  { id: 'fragmented', label: '§5.7 "Hel" + "lo", fragmented', hex: '01 03 48 65 6c 80 02 6c 6f', direction: 'server-to-client' },
  { id: 'ping', label: '§5.7 ping "Hello", unmasked', hex: '89 05 48 65 6c 6c 6f', direction: 'server-to-client' },
  { id: 'binary-256', label: '§5.7 256-byte binary (16-bit length)', hex: `82 7e 01 00 ${'00 '.repeat(256).trim()}`, direction: 'server-to-client' },
  { id: 'close', label: 'close 1000 "bye", masked', hex: '88 85 0a 0b 0c 0d 09 e3 6e 74 6f', direction: 'client-to-server' },
  { id: 'reserved-opcode', label: 'violation: reserved opcode 0x3', hex: '83 01 21', direction: 'server-to-client' },
  { id: 'unmasked-client', label: 'violation: unmasked client frame', hex: '81 02 68 69', direction: 'client-to-server' },
];
