/**
 * The full lifecycle on the whole stack, as users and MMs see it: REST create → quote over the binary
 * WebSocket → accept → confirm → position executed on litesvm, with Redis group commit and the Postgres
 * writer running — the load generator in lifecycle mode against a scratch stack in this process.
 */
import { silentLogger } from '../../engine/logger.ts';
import { load } from '../load.ts';
import type { Section } from '../report.ts';
import { startScratchStack } from '../scratchStack.ts';

export async function lifecycleSection(opts: { quick: boolean }): Promise<Section> {
  const scratch = await startScratchStack('bench', silentLogger(), { LOG_LEVEL: 'silent' });
  try {
    const rate = opts.quick ? '10' : '25';
    const duration = opts.quick ? '5s' : '20s';
    const outcome = await load(
      [
        '--url',
        scratch.stack.urls.rest,
        '--mode',
        'lifecycle',
        '--mms',
        '10',
        '--rate',
        rate,
        '--duration',
        duration,
        '--mint',
        '--fund',
        '--no-progress',
      ],
      {
        signal: new AbortController().signal,
        out: process.stderr,
        databaseUrl: scratch.config.app.databaseUrl,
      },
    );
    if (outcome === 'help') throw new Error('unexpected usage output');
    const section = outcome.report.sections[0];
    if (!section) throw new Error('the load generator produced no section');
    return {
      ...section,
      title:
        'Full lifecycle on the whole stack (issue 10): create → quote → accept → confirm → executed on litesvm',
      notes: [
        ...section.notes,
        `${rate} RFQs/s for ${duration}, 10 MMs in a child process, Redis + Postgres persistence and the embedded chain in this process.`,
      ],
    };
  } finally {
    await scratch.dispose();
  }
}
