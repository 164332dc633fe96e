/** The engine's section of the report: full-cycle throughput and memory per open RFQ. */
import { runCycleBench, runMemoryBench } from '../engine.ts';
import type { Section } from '../report.ts';

export async function engineSection(opts: { quick: boolean }): Promise<Section> {
  const cycle = await runCycleBench(opts.quick);
  const n = opts.quick ? 16_000 : 100_000;
  const memory = runMemoryBench(n);
  const growth = [1, 4, 16].map((scale) => ({ scale, n: Math.round((n / 16) * scale) }));
  const memoryGrowth = growth.map(({ scale, n: k }) => ({
    scale,
    work: `${k.toLocaleString('en')} open`,
    value: scale === 16 ? memory.engineBytes : runMemoryBench(k).engineBytes,
  }));
  return {
    title: 'Engine (issue 3): RFQ actors, commands, group commit',
    figures: [
      {
        name: 'full cycle create → quote → accept → confirm (serial, in-memory store)',
        unit: 'cycles/s',
        value: cycle.engineHz,
        p99: cycle.engineP99Ms,
        baseline: { name: 'bare XState actor, same inputs', value: cycle.bareActorHz },
        ratio: cycle.bareActorHz / cycle.engineHz,
        ratioNote: 'bare ÷ engine: cost of validation, commit, indexes, events',
      },
      {
        name: `heap per open RFQ (3 legs, 2 quotes) at ${n.toLocaleString('en')}`,
        unit: 'B',
        value: memory.engineBytes,
        baseline: { name: 'trivial XState actor under a shared parent', value: memory.xstateFloorBytes },
        ratio: memory.engineBytes / memory.xstateFloorBytes,
        goal: '≤ 2,500 B',
        met: memory.engineBytes <= 2_500,
      },
      {
        name: 'same RFQ data as plain objects (reference)',
        unit: 'B',
        value: memory.plainObjectBytes,
      },
    ],
    growth: [{ label: 'heap per open RFQ', unit: 'B', points: memoryGrowth }],
    distributions: [],
    notes: [
      'Memory: the XState actor itself is the floor; the RFQ data (ids, legs, quotes, boxed timestamps) adds about the plain-object figure; indexes, timer wheel and the snapshot object make up the rest.',
    ],
  };
}
