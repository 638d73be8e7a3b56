import { describe, expect, it } from 'vitest';
import { computeAccept } from '../../lab-server/src/protocol/handshake/accept.ts';
import { SourceRegionError, extractRegion, extractSymbol, sourceExcerpt } from './source-region.ts';

const SOURCE = [
  "import { x } from './x.ts';",
  '',
  '/** Doubles. */',
  'export function double(n: number): number {',
  '  if (n > 0) {',
  '    return n * 2;',
  '  }',
  '  return 0;',
  '}',
  '',
  'export const LIMIT = 10;',
  '',
  'export const Table = {',
  '  a: 1,',
  '} as const;',
  '',
  'function inner(): void {',
  '  // #region core',
  '  const a = 1;',
  '    const b = 2;',
  '  // #endregion core',
  '}',
].join('\n');

describe('extractSymbol', () => {
  it('takes a function from its JSDoc to the closing brace at column 0', () => {
    const excerpt = extractSymbol(SOURCE, 'double');
    expect(excerpt.code.split('\n')[0]).toBe('/** Doubles. */');
    expect(excerpt.code.endsWith('  return 0;\n}')).toBe(true);
    expect([excerpt.startLine, excerpt.endLine]).toEqual([3, 9]);
  });
  it('takes a one-line declaration alone and a const object to "} as const;"', () => {
    expect(extractSymbol(SOURCE, 'LIMIT').code).toBe('export const LIMIT = 10;');
    expect(extractSymbol(SOURCE, 'Table').code).toBe('export const Table = {\n  a: 1,\n} as const;');
  });
  it('does not match a longer name that starts with the symbol', () => {
    expect(() => extractSymbol(SOURCE, 'doub')).toThrow(SourceRegionError);
  });
  it('fails loudly for a missing symbol', () => {
    expect(() => extractSymbol(SOURCE, 'triple', 'math.ts')).toThrow(/math.ts: no top-level declaration of "triple"/);
  });
});

describe('extractRegion', () => {
  it('takes the lines between the markers, dedented, markers excluded', () => {
    const excerpt = extractRegion(SOURCE, 'core');
    expect(excerpt.code).toBe('const a = 1;\n  const b = 2;');
    expect([excerpt.startLine, excerpt.endLine]).toEqual([19, 20]);
  });
  it('fails loudly for a missing or unterminated region', () => {
    expect(() => extractRegion(SOURCE, 'absent')).toThrow(/no "\/\/ #region absent" marker/);
    expect(() => extractRegion('// #region open\nx;\n', 'open')).toThrow(/has no matching/);
  });
});

describe('sourceExcerpt on the real lab-server source', () => {
  it('extracts computeAccept (RFC 6455 §1.3) as the lessons show it, and it is the code that runs', () => {
    const excerpt = sourceExcerpt('lab-server/src/protocol/handshake/accept.ts', { symbol: 'computeAccept' });
    expect(excerpt.code).toMatch(/^\/\*\*[\s\S]*export function computeAccept\(key: string\): string \{[\s\S]*\n\}$/);
    expect(excerpt.code).toContain('WEBSOCKET_GUID');
    // The RFC 6455 §1.3 example, to tie the excerpt to behaviour.
    expect(computeAccept('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
  it('fails loudly for a missing file', () => {
    expect(() => sourceExcerpt('lab-server/src/nope.ts', { symbol: 'x' })).toThrow(/cannot read lab-server\/src\/nope.ts/);
  });
});
