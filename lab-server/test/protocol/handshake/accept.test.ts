import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { acceptSteps, computeAccept } from '../../../src/protocol/handshake/accept.ts';

describe('Sec-WebSocket-Accept (RFC 6455 §1.3)', () => {
  it('RFC 6455 §1.3: "dGhlIHNhbXBsZSBub25jZQ==" -> "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="', () => {
    expect(computeAccept('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('RFC 6455 §1.3: acceptSteps shows the concatenation, the SHA-1 digest and its base64', () => {
    expect(acceptSteps('dGhlIHNhbXBsZSBub25jZQ==')).toEqual({
      key: 'dGhlIHNhbXBsZSBub25jZQ==',
      concatenated: 'dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11',
      sha1Hex: 'b37a4f2cc0624f1690f64606cf385945b2bec4ea',
      accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    });
  });

  it('uses the key text as sent (it is not decoded) and handles non-ASCII text as UTF-8', () => {
    expect(computeAccept('x3JJHMbDL1EzLkh9GBhXDw==')).toBe('HSmrc0sMlYUkAGmm5OPpG2HaGWk=');
    const utf8 = createHash('sha1').update('cl\u00e9258EAFA5-E914-47DA-95CA-C5AB0DC85B11', 'utf8').digest('base64');
    expect(computeAccept('cl\u00e9')).toBe(utf8);
  });
});
