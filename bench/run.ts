/**
 * The benchmark suite: runs every section, writes bench/results/<date>-<host>.json and
 * bench/results/latest.md (+ latest.svg, the latency distributions).
 *   npm run bench              full run (under fifteen minutes)
 *   npm run bench -- --quick   smoke run (under two minutes)
 *   npm run bench -- --only engine,risk
 * A section that fails is reported as failed; the others still run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chainSection } from './chain.ts';
import { machineInfo, type Report, type Section, toMarkdown, toSvg } from './report.ts';
import { engineSection } from './sections/engine.ts';
import { fanoutSection } from './sections/fanout.ts';
import { lifecycleSection } from './sections/lifecycle.ts';
import { persistenceSection } from './sections/persistence.ts';
import { riskSection } from './sections/risk.ts';

type SectionRunner = (opts: { quick: boolean }) => Promise<Section>;

/** Every section of the report, in order. */
export const SECTIONS: Record<string, SectionRunner> = {
  engine: engineSection,
  persistence: persistenceSection,
  gateway: fanoutSection,
  risk: riskSection,
  chain: chainSection,
  lifecycle: lifecycleSection,
};

export async function runSuite(opts: { quick: boolean; only?: string[] }): Promise<Report> {
  const report: Report = {
    startedAt: new Date().toISOString(),
    quick: opts.quick,
    machine: machineInfo(),
    sections: [],
    failures: [],
  };
  for (const [name, run] of Object.entries(SECTIONS)) {
    if (opts.only && !opts.only.includes(name)) continue;
    const started = Date.now();
    process.stdout.write(`▶ ${name}…\n`);
    try {
      report.sections.push(await run({ quick: opts.quick }));
      process.stdout.write(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      report.failures.push({ section: name, error: message });
      process.stdout.write(`  FAILED: ${message}\n`);
    }
  }
  return report;
}

export function writeReport(report: Report, dir: string): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.slice(0, 19).replace(/[:T]/g, '-');
  const json = `${dir}/${stamp}-${hostname()}.json`;
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  const distributions = report.sections.flatMap((s) => s.distributions);
  const chart = distributions.length > 0 ? 'latest.svg' : null;
  if (chart) writeFileSync(`${dir}/${chart}`, toSvg(distributions));
  const markdown = `${dir}/latest.md`;
  writeFileSync(markdown, toMarkdown(report, chart));
  return { json, markdown };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const onlyArg = process.argv.find((a) => a.startsWith('--only'));
  const onlyValue = onlyArg?.includes('=')
    ? onlyArg.split('=')[1]
    : onlyArg
      ? process.argv[process.argv.indexOf(onlyArg) + 1]
      : undefined;
  const report = await runSuite({ quick, ...(onlyValue ? { only: onlyValue.split(',') } : {}) });
  const files = writeReport(report, fileURLToPath(new URL('./results', import.meta.url)));
  process.stdout.write(`\nreport: ${files.markdown}\nraw:    ${files.json}\n`);
  process.exitCode = report.failures.length > 0 ? 1 : 0;
}
