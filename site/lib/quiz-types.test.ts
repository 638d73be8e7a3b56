import { describe, expect, it } from 'vitest';
import { isCorrect, normalizeAnswer, type ValueQuestion } from './quiz-types.ts';

function question(normalize: ValueQuestion['normalize'], answers: string[]): ValueQuestion {
  return { kind: 'value', prompt: 'p', answers, normalize, explain: 'e', hint: 'h' };
}

describe('graded check answers', () => {
  it.each([
    ['hex', '82', ['82', '0x82', '0X82', ' 82 ', '\\x82']],
    ['number', '8', ['8', ' 8', '0x8', '8.0']],
    ['token', 'websocket', ['WebSocket', '"websocket"']],
  ] as const)('%s answers accept the spellings a learner might use', (normalize, accepted, spellings) => {
    for (const spelling of spellings) expect(isCorrect(question(normalize, [accepted]), spelling), spelling).toBe(true);
  });

  it.each([
    ['hex', '82', '81'],
    ['hex', '82', '802'],
    ['number', '8', '6'],
    ['exact', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo'],
  ] as const)('%s answer %s rejects %s', (normalize, accepted, given) => {
    expect(isCorrect(question(normalize, [accepted]), given)).toBe(false);
  });

  it('never accepts an empty answer', () => {
    expect(isCorrect(question('exact', ['']), '   ')).toBe(false);
    expect(normalizeAnswer('  ', 'hex')).toBe('');
  });
});
