/**
 * Graded checks, as lessons write them. A choice question explains every option (why it is right, or
 * the misconception behind it); a value question normalises the answer the way the protocol compares
 * it (hex bytes, a number, a header token), so "0x81", "81" and "0X81" are one answer.
 */
export interface ChoiceOption {
  readonly text: string;
  readonly correct?: boolean;
  /** Shown when this option is picked: why it is right, or what misunderstanding it reflects. */
  readonly explain: string;
}

export interface ChoiceQuestion {
  readonly kind: 'choice';
  readonly prompt: string;
  readonly options: readonly ChoiceOption[];
}

export type ValueNormalization = 'hex' | 'number' | 'token' | 'exact';

export interface ValueQuestion {
  readonly kind: 'value';
  readonly prompt: string;
  /** Accepted answers, compared after normalisation. */
  readonly answers: readonly string[];
  readonly normalize: ValueNormalization;
  /** Shown when the answer is right: the reasoning, for learners who guessed. */
  readonly explain: string;
  /** Shown when it is wrong: a nudge towards the reasoning, not the answer. */
  readonly hint: string;
  /** Specific wrong answers worth their own explanation (e.g. forgetting the masking key). */
  readonly misconceptions?: readonly { readonly answer: string; readonly explain: string }[];
  readonly placeholder?: string;
}

export type Question = ChoiceQuestion | ValueQuestion;

export function normalizeAnswer(answer: string, how: ValueNormalization): string {
  const trimmed = answer.trim();
  switch (how) {
    case 'hex':
      return trimmed.toLowerCase().replace(/0x|\\x|[\s,:]/g, '');
    case 'number': {
      const compact = trimmed.replace(/[\s_,]/g, '');
      const value = /^0x[0-9a-f]+$/i.test(compact) ? Number.parseInt(compact, 16) : Number(compact);
      return Number.isFinite(value) ? String(value) : compact;
    }
    case 'token':
      return trimmed.toLowerCase().replace(/^["']|["']$/g, '');
    case 'exact':
      return trimmed;
  }
}

export function isCorrect(question: ValueQuestion, answer: string): boolean {
  const given = normalizeAnswer(answer, question.normalize);
  return given.length > 0 && question.answers.some((accepted) => normalizeAnswer(accepted, question.normalize) === given);
}
