/** `--write`: replaces the figures block of BENCHMARKS.md (between its markers) with the latest run. */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const BENCHMARKS_MD = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));
const START = '<!-- bench:figures:start -->';
const END = '<!-- bench:figures:end -->';

export async function writeFiguresBlock(block: string): Promise<void> {
  const text = await readFile(BENCHMARKS_MD, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`BENCHMARKS.md has no ${START} ... ${END} block to update`);
  const updated = `${text.slice(0, start + START.length)}\n${block.trim()}\n${text.slice(end)}`;
  await writeFile(BENCHMARKS_MD, updated);
}
