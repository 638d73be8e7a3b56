/** The figures table: one row per measured figure, lab against ws, ratio oriented so that >= 1.0 means "lab at least as good". */
import { medianInterval, spreadPercent, summarize, type Interval, type Summary } from './stats.ts';

export type Better = 'higher' | 'lower';

export interface Figure {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly better: Better;
  readonly lab: Summary;
  readonly ws: Summary;
  /** Secondary figures (diagnostics such as server CPU per message) are shown but marked. */
  readonly diagnostic?: boolean;
  /** Shown by value only: counts that are often zero (page faults), where a ratio would say nothing. */
  readonly valuesOnly?: boolean;
}

export function makeFigure(
  id: string,
  label: string,
  unit: string,
  better: Better,
  lab: readonly number[],
  ws: readonly number[],
  diagnostic = false,
): Figure {
  return { id, label, unit, better, lab: summarize(lab), ws: summarize(ws), diagnostic };
}

/** Round i of the lab against round i of ws (which ran right after it): lab / ws for rates, ws / lab for costs. */
function pairedRatios(figure: Figure): number[] {
  const lab = figure.lab.samples;
  const ws = figure.ws.samples;
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(lab.length, ws.length); i++) {
    const l = lab[i] as number;
    const w = ws[i] as number;
    ratios.push(figure.better === 'higher' ? l / w : w / l);
  }
  return ratios;
}

/**
 * The headline ratio: the median of the per-round ratios (>= 1.0 always means the lab is at least as good). Pairing
 * cancels drifts in machine load that move both servers, and it is the quantity the interval below is for.
 */
export function ratio(figure: Figure): number {
  return summarize(pairedRatios(figure)).median;
}

/** The 95% interval for that median (stats.ts, medianInterval). Null with fewer than 6 rounds. */
export function pairedRatioInterval(figure: Figure): Interval | null {
  return medianInterval(pairedRatios(figure));
}

/** 'ahead': the lab is better beyond the noise; 'behind': worse beyond it; 'level': the interval contains 1.0. */
export type Standing = 'ahead' | 'level' | 'behind' | 'unknown';

export function standing(figure: Figure): Standing {
  const interval = pairedRatioInterval(figure);
  if (interval === null) return 'unknown';
  if (interval.low >= 1) return 'ahead';
  if (interval.high < 1) return 'behind';
  return 'level';
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 100_000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a';
}

function formatSpread(summary: Summary): string {
  const spread = spreadPercent(summary);
  return Number.isFinite(spread) ? `±${(spread / 2).toFixed(0)}%` : '';
}

function formatInterval(figure: Figure): string {
  const interval = pairedRatioInterval(figure);
  return interval === null ? 'n/a' : `${interval.low.toFixed(2)}-${interval.high.toFixed(2)}x`;
}

interface Row {
  readonly cells: readonly string[];
}

const NOT_COMPARED = '-';

function rows(figures: readonly Figure[]): Row[] {
  return figures.map((figure) => {
    const compared = figure.valuesOnly !== true;
    return {
      cells: [
        `${figure.diagnostic === true ? '  (diag) ' : ''}${figure.label}`,
        figure.unit,
        formatNumber(figure.lab.median),
        formatNumber(figure.ws.median),
        compared ? formatRatio(ratio(figure)) : NOT_COMPARED,
        compared ? formatInterval(figure) : NOT_COMPARED,
        compared ? `${formatSpread(figure.lab)} / ${formatSpread(figure.ws)}` : NOT_COMPARED,
      ],
    };
  });
}

const HEADER = ['figure', 'unit', 'lab', 'ws', 'ratio', '95% interval', 'spread lab / ws'] as const;

/** A plain-text table for the terminal. */
export function formatTable(figures: readonly Figure[]): string {
  const all = [HEADER as readonly string[], ...rows(figures).map((row) => row.cells)];
  const widths = HEADER.map((_, column) => Math.max(...all.map((cells) => (cells[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column >= 2 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ');
  const separator = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(all[0] ?? []), separator, ...all.slice(1).map(line)].join('\n');
}

/** The same table as Markdown, for BENCHMARKS.md. */
export function formatMarkdownTable(figures: readonly Figure[]): string {
  const header = `| ${HEADER.join(' | ')} |`;
  const align = `| --- | --- | ---: | ---: | ---: | ---: | ---: |`;
  const body = rows(figures).map((row) => `| ${row.cells.map((cell) => cell.trim()).join(' | ')} |`);
  return [header, align, ...body].join('\n');
}
