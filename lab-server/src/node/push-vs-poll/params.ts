/** Validation of what the page sends: start parameters and commands. Every answer is one readable line. */
import type { ExperimentParams, PushCommand } from '../../reports/push-vs-poll-types.ts';
import { MIN_DURATION_MS, ParamRange } from './limits.ts';

type ParamName = keyof typeof ParamRange;
const PARAM_NAMES = Object.keys(ParamRange) as ParamName[];

/** The parameters, or a one-line reason naming the first bad one and its range. */
export function validateParams(value: unknown): ExperimentParams | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'params must be an object';
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).find((key) => !(PARAM_NAMES as string[]).includes(key));
  if (unknown !== undefined) return `unknown parameter "${unknown.slice(0, 40)}" (expected ${PARAM_NAMES.join(', ')})`;
  const result: Record<string, number> = {};
  for (const name of PARAM_NAMES) {
    const range = ParamRange[name];
    const given = record[name];
    const kind = range.integer ? 'an integer' : 'a number';
    const expected = `${name} must be ${kind} from ${range.min} to ${range.max.toLocaleString('en-US')}`;
    if (given === undefined) return `missing ${name}: ${expected}`;
    if (typeof given !== 'number' || !Number.isFinite(given)) return `${expected}, got ${describe(given)}`;
    if ((range.integer && !Number.isInteger(given)) || given < range.min || given > range.max) return `${expected}, got ${given}`;
    result[name] = given;
  }
  if (result['durationMs'] !== 0 && (result['durationMs'] ?? 0) < MIN_DURATION_MS) {
    return `durationMs must be 0 (until stopped) or at least ${MIN_DURATION_MS}, got ${result['durationMs']}`;
  }
  return result as unknown as ExperimentParams;
}

/** A command from the observer's text message, or a one-line reason. */
export function parseCommand(text: string): PushCommand | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'a command must be JSON, e.g. {"type":"start","params":{...}}';
  }
  if (value === null || typeof value !== 'object') return 'a command must be a JSON object with a "type"';
  const { type, params } = value as { type?: unknown; params?: unknown };
  if (type === 'stop' || type === 'reset') return { type };
  if (type !== 'start') return `unknown command type ${describe(type)}: expected start, stop or reset`;
  const checked = validateParams(params);
  return typeof checked === 'string' ? checked : { type: 'start', params: checked };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (value === undefined) return 'nothing';
  return typeof value === 'number' ? String(value) : typeof value;
}
