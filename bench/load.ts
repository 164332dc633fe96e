/**
 * The load generator: market makers on real WebSockets and users on REST, against any gateway —
 * the local stack or a deployed one — with a live progress line and a report in the suite's format
 * (bench/report.ts). Usage and how to read the output: docs/load.md.
 *
 *   npm run load -- --mms 200 --rate 500 --duration 30s --credentials creds.json --url https://…
 *   npm run load -- --mint --fund --mode lifecycle --mms 20 --rate 20      (a local `npm start`)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { APP_ENV } from '../engine/appConfig.ts';
import { parseLoadArgs, USAGE, UsageError } from './load/args.ts';
import { SetupError } from './load/credentials.ts';
import { type RunContext, runLoad } from './load/run.ts';
import { buildSection, type RunResult } from './load/section.ts';
import { machineInfo, type Report, toMarkdown, toSvg } from './report.ts';

export function loadReport(result: RunResult, startedAt: string): Report {
  return {
    startedAt,
    quick: false,
    machine: { ...machineInfo(), target: result.options.url },
    sections: [buildSection(result)],
    failures: [],
  };
}

/** Writes --json (the suite's JSON shape) and --markdown (+ the latency chart beside it). */
export function writeOutputs(report: Report, files: { json: string | null; markdown: string | null }): void {
  if (files.json) writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  if (files.markdown) {
    const distributions = report.sections.flatMap((s) => s.distributions);
    const svg = distributions.length > 0 ? files.markdown.replace(/(\.md)?$/, '.svg') : null;
    if (svg) writeFileSync(svg, toSvg(distributions));
    writeFileSync(files.markdown, toMarkdown(report, svg ? (svg.split('/').pop() ?? svg) : null));
  }
}

/** Parses the command line, runs, and returns the result and its report (for the CLI and tests). */
export async function load(
  argv: string[],
  ctx: Omit<RunContext, 'databaseUrl'> & { databaseUrl?: string },
): Promise<{ result: RunResult; report: Report } | 'help'> {
  const options = parseLoadArgs(argv);
  if (options === 'help') return 'help';
  const startedAt = new Date().toISOString();
  const result = await runLoad(options, {
    ...ctx,
    databaseUrl: ctx.databaseUrl ?? APP_ENV.databaseUrl.parse(process.env.DATABASE_URL),
  });
  const report = loadReport(result, startedAt);
  writeOutputs(report, { json: options.jsonOut, markdown: options.markdownOut });
  return { result, report };
}

async function main(): Promise<number> {
  const stop = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write('\nstopping: a short drain, then the report (Ctrl-C again to quit at once)\n');
    stop.abort();
  });
  try {
    const outcome = await load(process.argv.slice(2), { signal: stop.signal, out: process.stderr });
    if (outcome === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    process.stdout.write(`\n${toMarkdown(outcome.report, null)}`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`load: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof SetupError) {
      process.stderr.write(`load: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
