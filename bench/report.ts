/**
 * The benchmark report: every headline figure beside the baseline measured in the same run, with the
 * ratio and the goal it is held to; a growth table per section (1×, 4×, 16× the work); latency
 * distributions as an SVG chart. Written as JSON (bench/results/<date>-<host>.json) and Markdown
 * (bench/results/latest.md).
 */

import { readFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';

export interface Figure {
  name: string;
  unit: string;
  value: number;
  /** The baseline this figure is read against, measured in the same run. */
  baseline?: { name: string; value: number };
  /** value ÷ baseline, or the way round the goal is phrased (see `ratioNote`). */
  ratio?: number;
  ratioNote?: string;
  goal?: string;
  met?: boolean;
  p50?: number;
  p99?: number;
  max?: number;
}

export interface GrowthRow {
  label: string;
  /** Work multipliers (1×, 4×, 16×… of the smallest) → measured value. */
  points: Array<{ scale: number; work: string; value: number }>;
  unit: string;
}

export interface Distribution {
  name: string;
  /** Sorted latency samples in ms. */
  samplesMs: number[];
}

export interface Section {
  title: string;
  figures: Figure[];
  growth: GrowthRow[];
  distributions: Distribution[];
  notes: string[];
}

export interface Report {
  startedAt: string;
  quick: boolean;
  machine: Record<string, string | number>;
  sections: Section[];
  failures: Array<{ section: string; error: string }>;
}

export function machineInfo(): Record<string, string | number> {
  const version = (pkg: string) => {
    try {
      return (
        JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), 'utf8')) as {
          version: string;
        }
      ).version;
    } catch {
      return 'n/a';
    }
  };
  return {
    host: hostname(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    uWebSockets: version('uWebSockets.js'),
    xstate: version('xstate'),
    highs: version('highs'),
    litesvm: version('litesvm'),
  };
}

/** Percentile of sorted samples (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function latencyFigure(name: string, samplesMs: number[], extra: Partial<Figure> = {}): Figure {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    name,
    unit: 'ms',
    value: percentile(sorted, 50),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    ...extra,
  };
}

const fmt = (n: number | undefined): string => {
  if (n === undefined || Number.isNaN(n)) return '—';
  if (Number.isInteger(n)) return String(n);
  if (Math.abs(n) >= 1000) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(3);
};

export function toMarkdown(report: Report, chartFile: string | null): string {
  const lines: string[] = [];
  lines.push(`# Benchmark report — ${report.startedAt}${report.quick ? ' (quick)' : ''}`, '');
  lines.push(
    'How to read it: every figure stands beside a baseline measured in the same run on the same machine;',
  );
  lines.push(
    'the ratio is what to compare across machines (absolute numbers move with load). p50/p99/max are',
  );
  lines.push(
    'latencies in ms where a figure is a latency. "Goal" is the target from the issue it belongs to.',
    '',
  );
  lines.push('## Machine', '', '| | |', '| --- | --- |');
  for (const [k, v] of Object.entries(report.machine)) lines.push(`| ${k} | ${v} |`);
  lines.push('');
  for (const section of report.sections) {
    lines.push(`## ${section.title}`, '');
    lines.push('| figure | value | p50 | p99 | max | baseline (same run) | ratio | goal | met |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const f of section.figures) {
      const base = f.baseline ? `${f.baseline.name}: ${fmt(f.baseline.value)} ${f.unit}` : '—';
      const ratio =
        f.ratio === undefined ? '—' : `${f.ratio.toFixed(2)}×${f.ratioNote ? ` (${f.ratioNote})` : ''}`;
      const met = f.met === undefined ? '' : f.met ? 'yes' : '**no**';
      lines.push(
        `| ${f.name} | ${fmt(f.value)} ${f.unit} | ${fmt(f.p50)} | ${fmt(f.p99)} | ${fmt(f.max)} | ${base} | ${ratio} | ${f.goal ?? ''} | ${met} |`,
      );
    }
    if (section.growth.length > 0) {
      lines.push('', '**Growth** (the same figure as the work grows; the last column is last ÷ first):', '');
      lines.push('| figure | points | last ÷ first |', '| --- | --- | --- |');
      for (const g of section.growth) {
        const points = g.points.map((p) => `${fmt(p.value)} ${g.unit} @ ${p.work} (${p.scale}×)`).join(' → ');
        const first = g.points[0]?.value;
        const last = g.points.at(-1)?.value;
        lines.push(`| ${g.label} | ${points} | ${first && last ? `${(last / first).toFixed(2)}×` : '—'} |`);
      }
    }
    for (const note of section.notes) lines.push('', `- ${note}`);
    lines.push('');
  }
  if (chartFile) lines.push('## Latency distributions', '', `![latency distributions](${chartFile})`, '');
  if (report.failures.length > 0) {
    lines.push('## Sections that failed to run', '');
    for (const f of report.failures) lines.push(`- ${f.section}: ${f.error}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Cumulative distributions on a log-scaled latency axis, one line per distribution. */
export function toSvg(distributions: Distribution[]): string {
  const W = 760;
  const H = 360;
  const left = 60;
  const bottom = 40;
  const plotW = W - left - 200;
  const plotH = H - bottom - 20;
  const all = distributions.flatMap((d) => d.samplesMs).filter((x) => x > 0);
  const lo = Math.log10(Math.max(1e-3, Math.min(...all)));
  const hi = Math.log10(Math.max(...all) * 1.05);
  const x = (ms: number) => left + ((Math.log10(Math.max(ms, 1e-3)) - lo) / Math.max(1e-9, hi - lo)) * plotW;
  const y = (q: number) => 20 + (1 - q) * plotH;
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    const px = x(10 ** e);
    if (px < left || px > left + plotW) continue;
    parts.push(
      `<line x1="${px}" y1="20" x2="${px}" y2="${20 + plotH}" stroke="#ddd"/><text x="${px}" y="${H - 22}" text-anchor="middle">${10 ** e} ms</text>`,
    );
  }
  for (const q of [0, 0.5, 0.9, 0.99, 1]) {
    parts.push(
      `<line x1="${left}" y1="${y(q)}" x2="${left + plotW}" y2="${y(q)}" stroke="#eee"/><text x="${left - 6}" y="${y(q) + 4}" text-anchor="end">p${Math.round(q * 100)}</text>`,
    );
  }
  distributions.forEach((d, i) => {
    const s = [...d.samplesMs].sort((a, b) => a - b);
    const step = Math.max(1, Math.floor(s.length / 400));
    const pts: string[] = [];
    for (let k = 0; k < s.length; k += step)
      pts.push(`${x(s[k] as number).toFixed(1)},${y((k + 1) / s.length).toFixed(1)}`);
    if (s.length > 0) pts.push(`${x(s.at(-1) as number).toFixed(1)},${y(1).toFixed(1)}`);
    const color = colors[i % colors.length];
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.6" points="${pts.join(' ')}"/>`);
    parts.push(
      `<rect x="${left + plotW + 14}" y="${24 + i * 18}" width="10" height="10" fill="${color}"/><text x="${left + plotW + 30}" y="${33 + i * 18}">${escapeXml(d.name)}</text>`,
    );
  });
  parts.push(
    `<text x="${left + plotW / 2}" y="${H - 6}" text-anchor="middle">latency (log scale), cumulative share of samples</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
