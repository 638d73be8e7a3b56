/**
 * Autobahn 6.x-like UTF-8 cases: text messages must be valid UTF-8 (RFC 6455 §5.6, §8.1; RFC 3629), validated across
 * fragments (a code point may be split between fragments), failing with 1007 — and failing FAST: as soon as a fragment
 * makes the message impossible, without waiting for the message to end (RFC 6455 §8.1 "fail as soon as possible").
 */
import { describe } from 'vitest';
import { CloseCode } from '../../src/protocol/constants.ts';
import { concatBytes, continuation, fragments, hex, Op, text, utf8 } from '../support/frame-builder.ts';
import { useEchoTarget } from '../support/lab-server.ts';
import { itRunsWireCases, echoText } from '../support/wire-case.ts';
import type { WireCase } from '../support/wire-case.ts';

const section = 'RFC 6455 §8.1, RFC 3629';
const decoder = new TextDecoder('utf-8', { fatal: true });

interface ValidVector {
  readonly name: string;
  readonly bytes: Uint8Array;
}
const valid: ValidVector[] = [
  { name: 'Hello-µ@ßöäüàá-UTF-8!!', bytes: utf8('Hello-µ@ßöäüàá-UTF-8!!') },
  { name: 'κόσμε', bytes: hex('ce ba e1 bd b9 cf 83 ce bc ce b5') },
  { name: 'U+0000 (first 1-byte)', bytes: hex('00') },
  { name: 'U+0080 (first 2-byte)', bytes: hex('c2 80') },
  { name: 'U+0800 (first 3-byte)', bytes: hex('e0 a0 80') },
  { name: 'U+10000 (first 4-byte)', bytes: hex('f0 90 80 80') },
  { name: 'U+007F (last 1-byte)', bytes: hex('7f') },
  { name: 'U+07FF (last 2-byte)', bytes: hex('df bf') },
  { name: 'U+FFFF (last 3-byte, a noncharacter but valid)', bytes: hex('ef bf bf') },
  { name: 'U+10FFFF (last code point)', bytes: hex('f4 8f bf bf') },
  { name: 'U+D7FF (just below the surrogates)', bytes: hex('ed 9f bf') },
  { name: 'U+E000 (just above the surrogates)', bytes: hex('ee 80 80') },
  { name: 'U+FFFD (replacement character)', bytes: hex('ef bf bd') },
  { name: 'U+FFFE (noncharacter, valid UTF-8)', bytes: hex('ef bf be') },
  { name: 'U+FDD0 (noncharacter, valid UTF-8)', bytes: hex('ef b7 90') },
  { name: '𝄞 U+1D11E', bytes: hex('f0 9d 84 9e') },
];

interface InvalidVector {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** True when no valid UTF-8 starts with these bytes, so the server can fail before the message ends. */
  readonly impossiblePrefix: boolean;
}
const invalid: InvalidVector[] = [
  { name: 'κόσμε-edited with a surrogate ED A0 80 (Autobahn 6.3.1)', bytes: hex('ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64'), impossiblePrefix: true },
  { name: 'lone continuation byte 80', bytes: hex('80'), impossiblePrefix: true },
  { name: 'lone continuation byte bf', bytes: hex('bf'), impossiblePrefix: true },
  { name: 'continuation bytes 80 bf 80', bytes: hex('80 bf 80'), impossiblePrefix: true },
  { name: '2-byte start c2 followed by a space', bytes: hex('c2 20'), impossiblePrefix: true },
  { name: '3-byte start e1 followed by a space', bytes: hex('e1 20'), impossiblePrefix: true },
  { name: '4-byte start f1 followed by a space', bytes: hex('f1 20'), impossiblePrefix: true },
  { name: 'impossible byte fe', bytes: hex('fe'), impossiblePrefix: true },
  { name: 'impossible byte ff', bytes: hex('ff'), impossiblePrefix: true },
  { name: 'impossible bytes fe fe ff ff', bytes: hex('fe fe ff ff'), impossiblePrefix: true },
  { name: 'overlong "/" c0 af', bytes: hex('c0 af'), impossiblePrefix: true },
  { name: 'overlong "/" e0 80 af', bytes: hex('e0 80 af'), impossiblePrefix: true },
  { name: 'overlong "/" f0 80 80 af', bytes: hex('f0 80 80 af'), impossiblePrefix: true },
  { name: 'overlong "/" f8 80 80 80 af (5 bytes)', bytes: hex('f8 80 80 80 af'), impossiblePrefix: true },
  { name: 'overlong "/" fc 80 80 80 80 af (6 bytes)', bytes: hex('fc 80 80 80 80 af'), impossiblePrefix: true },
  { name: 'maximum overlong c1 bf', bytes: hex('c1 bf'), impossiblePrefix: true },
  { name: 'maximum overlong e0 9f bf', bytes: hex('e0 9f bf'), impossiblePrefix: true },
  { name: 'maximum overlong f0 8f bf bf', bytes: hex('f0 8f bf bf'), impossiblePrefix: true },
  { name: 'overlong NUL c0 80', bytes: hex('c0 80'), impossiblePrefix: true },
  { name: 'overlong NUL e0 80 80', bytes: hex('e0 80 80'), impossiblePrefix: true },
  { name: 'overlong NUL f0 80 80 80', bytes: hex('f0 80 80 80'), impossiblePrefix: true },
  { name: 'surrogate U+D800 ed a0 80', bytes: hex('ed a0 80'), impossiblePrefix: true },
  { name: 'surrogate U+DB7F ed ad bf', bytes: hex('ed ad bf'), impossiblePrefix: true },
  { name: 'surrogate U+DB80 ed ae 80', bytes: hex('ed ae 80'), impossiblePrefix: true },
  { name: 'surrogate U+DBFF ed af bf', bytes: hex('ed af bf'), impossiblePrefix: true },
  { name: 'surrogate U+DC00 ed b0 80', bytes: hex('ed b0 80'), impossiblePrefix: true },
  { name: 'surrogate U+DF80 ed be 80', bytes: hex('ed be 80'), impossiblePrefix: true },
  { name: 'surrogate U+DFFF ed bf bf', bytes: hex('ed bf bf'), impossiblePrefix: true },
  { name: 'surrogate pair U+D800 U+DC00 (CESU-8)', bytes: hex('ed a0 80 ed b0 80'), impossiblePrefix: true },
  { name: 'surrogate pair U+DBFF U+DFFF (CESU-8)', bytes: hex('ed af bf ed bf bf'), impossiblePrefix: true },
  { name: 'U+110000 f4 90 80 80 (above U+10FFFF)', bytes: hex('f4 90 80 80'), impossiblePrefix: true },
  { name: 'f5 80 80 80 (above U+10FFFF)', bytes: hex('f5 80 80 80'), impossiblePrefix: true },
  { name: 'f7 bf bf bf (above U+10FFFF)', bytes: hex('f7 bf bf bf'), impossiblePrefix: true },
  { name: '5-byte sequence f8 88 80 80 80', bytes: hex('f8 88 80 80 80'), impossiblePrefix: true },
  { name: '6-byte sequence fc 84 80 80 80 80', bytes: hex('fc 84 80 80 80 80'), impossiblePrefix: true },
  { name: 'truncated 2-byte sequence c2 at message end', bytes: hex('c2'), impossiblePrefix: false },
  { name: 'truncated 3-byte sequence e2 82 at message end', bytes: hex('e2 82'), impossiblePrefix: false },
  { name: 'truncated 4-byte sequence f0 9d 84 at message end', bytes: hex('f0 9d 84'), impossiblePrefix: false },
];

const before = utf8('valid prefix ');
const after = utf8(' valid suffix');

// The vectors must themselves be right: check them with the platform's fatal decoder, independent of the project.
for (const vector of valid) decoder.decode(vector.bytes);
for (const vector of invalid) {
  let threw = false;
  try {
    decoder.decode(concatBytes(before, vector.bytes, after));
  } catch {
    threw = true;
  }
  if (!threw && vector.impossiblePrefix) throw new Error(`test vector is valid UTF-8: ${vector.name}`);
}

const cases: WireCase[] = [
  ...valid.flatMap((vector, i): WireCase[] => {
    const textValue = decoder.decode(vector.bytes);
    return [
      { id: `6.1.${i + 1}`, title: `valid ${vector.name}, one frame`, section, send: [text(vector.bytes)], expect: [echoText(textValue)] },
      {
        id: `6.2.${i + 1}`,
        title: `valid ${vector.name}, every byte its own fragment (code points split across fragments)`,
        section: 'RFC 6455 §5.4, §8.1',
        send: [concatBytes(...fragments(Op.Text, vector.bytes, 1))],
        expect: [echoText(textValue)],
      },
    ];
  }),
  ...Array.from({ length: 10 }, (_, split): WireCase => {
    const kosme = hex('ce ba e1 bd b9 cf 83 ce bc ce b5');
    return {
      id: `6.3.${split + 1}`,
      title: `valid κόσμε split into two fragments at byte ${split + 1}`,
      section: 'RFC 6455 §5.4, §8.1',
      send: [text(kosme.subarray(0, split + 1), { fin: false }), continuation(kosme.subarray(split + 1))],
      expect: [echoText(decoder.decode(kosme))],
    };
  }),
  {
    id: '6.3.11',
    title: 'valid: empty text frames around a split 4-byte code point',
    section: 'RFC 6455 §5.4, §8.1',
    send: [concatBytes(text('', { fin: false }), continuation(hex('f0 9d'), { fin: false }), continuation('', { fin: false }), continuation(hex('84 9e')))],
    expect: [echoText('𝄞')],
  },
  ...invalid.flatMap((vector, i): WireCase[] => {
    const message = concatBytes(before, vector.bytes, after);
    const list: WireCase[] = [
      {
        id: `6.4.${i + 1}`,
        title: `invalid ${vector.name}, one frame -> 1007`,
        section,
        send: [text(message)],
        fail: CloseCode.InvalidPayloadData,
      },
      {
        id: `6.5.${i + 1}`,
        title: `invalid ${vector.name}, every byte its own fragment -> 1007`,
        section,
        send: [concatBytes(...fragments(Op.Text, message, 1))],
        fail: CloseCode.InvalidPayloadData,
      },
    ];
    if (vector.impossiblePrefix) {
      list.push({
        id: `6.6.${i + 1}`,
        title: `fail fast: invalid ${vector.name} in a middle fragment, message never finished -> 1007`,
        section: 'RFC 6455 §8.1 (fail as soon as possible)',
        // Fragment 1 is valid; fragment 2 carries the bad bytes; no FIN is ever sent, so only a fail-fast server closes.
        send: [text(before, { fin: false }), continuation(concatBytes(vector.bytes, after), { fin: false })],
        fail: CloseCode.InvalidPayloadData,
        timeoutMs: 3000,
      });
    }
    return list;
  }),
  {
    id: '6.7.1',
    title: 'fail fast: 1-byte fragments, the connection fails at the bad byte while the message is unfinished',
    section: 'RFC 6455 §8.1 (fail as soon as possible)',
    // a | b | c | ED | A0 — none with FIN; ED A0 can start no valid sequence (a surrogate), so the server fails here.
    send: [
      concatBytes(
        text('a', { fin: false }),
        continuation('b', { fin: false }),
        continuation('c', { fin: false }),
        continuation(hex('ed'), { fin: false }),
        continuation(hex('a0'), { fin: false }),
      ),
    ],
    fail: CloseCode.InvalidPayloadData,
    timeoutMs: 3000,
  },
  {
    id: '6.7.2',
    title: 'valid text message after an invalid one is never echoed (input ignored after failing)',
    section: 'RFC 6455 §7.1.7',
    send: [concatBytes(text(hex('ff')), text('never echoed'))],
    fail: CloseCode.InvalidPayloadData,
  },
];

describe('conformance: UTF-8 handling (Autobahn 6.x, RFC 6455 §8.1)', () => {
  const target = useEchoTarget();

  itRunsWireCases(target, cases);
});
