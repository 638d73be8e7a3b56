/**
 * Build-time excerpts of the real lab-server source, so code shown in a lesson is the code that runs and
 * cannot drift from it. Two ways to name an excerpt:
 *
 *   - a region: the lines between `// #region name` and `// #endregion name` (the markers themselves are
 *     left out). This is the preferred way; lab-server files can gain markers whenever a lesson needs a
 *     slice that is not a whole declaration.
 *   - a symbol: a top-level declaration (`export function computeAccept`, `export class FrameParser`,
 *     `export const Opcode`, ...) from its first line to the matching closing brace at column 0. Any JSDoc
 *     comment right above it is included.
 *
 * Anything not found throws, which fails `astro build`: a lesson must never show stale or missing code.
 * Node-only (reads files); runs in Astro frontmatter at build time, never in the browser.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root, from which lesson paths like "lab-server/src/protocol/handshake/accept.ts"
 * resolve. Found by walking up to the folder holding package.json and lab-server/, because at build
 * time this module runs from a bundled chunk, not from site/lib.
 */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'lab-server'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

export type SourceSelector = { readonly region: string } | { readonly symbol: string };

export interface SourceExcerpt {
  /** The path as given, relative to the repository root. */
  readonly path: string;
  readonly code: string;
  /** 1-based line numbers of the first and last line shown, for "accept.ts lines 24-27". */
  readonly startLine: number;
  readonly endLine: number;
}

export class SourceRegionError extends Error {
  override name = 'SourceRegionError';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The region between `// #region name` and `// #endregion name`, markers excluded. */
export function extractRegion(source: string, name: string, path = '<source>'): SourceExcerpt {
  const lines = source.split(/\r?\n/);
  const open = new RegExp(`^\\s*//\\s*#region\\s+${escapeRegExp(name)}\\s*$`);
  const close = new RegExp(`^\\s*//\\s*#endregion(?:\\s+${escapeRegExp(name)})?\\s*$`);
  const start = lines.findIndex((line) => open.test(line));
  if (start < 0) throw new SourceRegionError(`${path}: no "// #region ${name}" marker`);
  const end = lines.findIndex((line, index) => index > start && close.test(line));
  if (end < 0) throw new SourceRegionError(`${path}: "// #region ${name}" at line ${start + 1} has no matching "// #endregion ${name}"`);
  if (end === start + 1) throw new SourceRegionError(`${path}: region "${name}" is empty`);
  return { path, code: dedent(lines.slice(start + 1, end)).join('\n'), startLine: start + 2, endLine: end };
}

/**
 * A top-level declaration by name: the first line declaring it at column 0, through the first line
 * after it that is a closing brace at column 0 (`}`, `};`, `} as const;`), plus its JSDoc comment.
 * A declaration that ends on its own line (`export const X = 1;`) is that line alone.
 */
export function extractSymbol(source: string, symbol: string, path = '<source>'): SourceExcerpt {
  const lines = source.split(/\r?\n/);
  const declaration = new RegExp(
    `^(?:export\\s+)?(?:default\\s+)?(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?` +
      `(?:function\\*?|class|const|let|interface|type)\\s+${escapeRegExp(symbol)}\\b`,
  );
  const start = lines.findIndex((line) => declaration.test(line));
  if (start < 0) throw new SourceRegionError(`${path}: no top-level declaration of "${symbol}"`);
  let end = start;
  const opensBlock = !/;\s*$/.test(lines[start]!) || /[{([]\s*$/.test(lines[start]!);
  if (opensBlock) {
    end = lines.findIndex((line, index) => index > start && /^[}\])]/.test(line));
    if (end < 0) throw new SourceRegionError(`${path}: "${symbol}" at line ${start + 1} has no closing brace at column 0`);
  }
  let first = start;
  // Take the JSDoc block directly above, if any: it is part of what the code says.
  if (first > 0 && /\*\/\s*$/.test(lines[first - 1]!)) {
    let at = first - 1;
    while (at >= 0 && !/^\s*\/\*\*/.test(lines[at]!)) at--;
    if (at >= 0) first = at;
  }
  return { path, code: lines.slice(first, end + 1).join('\n'), startLine: first + 1, endLine: end + 1 };
}

/** Removes the indentation every non-blank line shares (regions often sit inside a block). */
function dedent(lines: string[]): string[] {
  const indents = lines.filter((line) => line.trim().length > 0).map((line) => /^\s*/.exec(line)![0].length);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((line) => line.slice(common));
}

/** Reads `path` (relative to the repository root) and extracts the region or symbol; throws when absent. */
export function sourceExcerpt(path: string, selector: SourceSelector): SourceExcerpt {
  let source: string;
  try {
    source = readFileSync(join(findRepoRoot(), path), 'utf8');
  } catch (error) {
    throw new SourceRegionError(`cannot read ${path} for a lesson excerpt: ${(error as Error).message}`);
  }
  return 'region' in selector ? extractRegion(source, selector.region, path) : extractSymbol(source, selector.symbol, path);
}
