/** The persistence section: what durability costs per transition and per ack, and recovery time. */
import { runPersistenceBench, runRecoveryBench } from '../persistence.ts';
import type { Section } from '../report.ts';

export async function persistenceSection(opts: { quick: boolean }): Promise<Section> {
  const { throughput: t, recovery: r } = await runPersistenceBench(opts);
  const growthPoints = [];
  for (const scale of [1, 4]) {
    const live = Math.round((r.live / 16) * scale);
    growthPoints.push({
      scale,
      work: `${live.toLocaleString('en')} live`,
      value: (await runRecoveryBench(live)).totalMs,
    });
  }
  growthPoints.push({ scale: 16, work: `${r.live.toLocaleString('en')} live`, value: r.totalMs });
  return {
    title: 'Persistence (issue 4): Redis group commit, Postgres record, recovery',
    figures: [
      {
        name: `acked transitions/s, persistence on (${t.concurrency} in flight)`,
        unit: '/s',
        value: t.onTransitionsPerSec,
        baseline: { name: 'persistence off (in-memory ack)', value: t.offTransitionsPerSec },
        ratio: t.ratio,
        ratioNote: 'on ÷ off',
      },
      {
        name: 'ack latency under load, persistence on',
        unit: 'ms',
        value: t.onAckP50Ms,
        p50: t.onAckP50Ms,
        p99: t.onAckP99Ms,
        baseline: { name: 'persistence off, p99', value: t.offAckP99Ms },
        ratio: t.onAckP99Ms / t.offAckP99Ms,
        ratioNote: `p99 on ÷ off; group commit adds ${t.addedP99Ms.toFixed(1)} ms`,
      },
      {
        name: 'ack latency, one command at a time (the Redis round trip)',
        unit: 'ms',
        value: t.serialOnAckP99Ms,
        p99: t.serialOnAckP99Ms,
        baseline: { name: 'persistence off, p99', value: t.serialOffAckP99Ms },
        ratio: t.serialOnAckP99Ms / t.serialOffAckP99Ms,
        ratioNote: 'p99 on ÷ off',
      },
      {
        name: `recovery of ${r.live.toLocaleString('en')} live RFQs (load + restore + re-arm)`,
        unit: 'ms',
        value: r.totalMs,
        baseline: { name: 'loading the snapshots from Redis alone', value: r.loadFromRedisMs },
        ratio: r.totalMs / r.loadFromRedisMs,
        ratioNote: 'total ÷ load',
        goal: '≤ 3,000 ms',
        met: r.totalMs <= r.goalMs,
      },
      {
        name: 'rebuild from the Postgres event log (Redis came back empty)',
        unit: 'ms',
        value: r.rebuildFromPostgresMs,
        baseline: { name: 'recovery from Redis', value: r.totalMs },
        ratio: r.rebuildFromPostgresMs / r.totalMs,
      },
    ],
    growth: [{ label: 'recovery time', unit: 'ms', points: growthPoints }],
    distributions: [],
    notes: [
      `Recovery split: persistence start ${r.persistenceStartMs.toFixed(0)} ms, load from Redis ${r.loadFromRedisMs.toFixed(0)} ms, restore ${r.restoreActorsMs.toFixed(0)} ms (RFQs are held as snapshots with indexes, deadlines and reservations rebuilt; each becomes an XState actor on first use).`,
      'Redis and the Postgres writer share the two cores with the engine in this benchmark: the on ÷ off ratio includes their CPU.',
    ],
  };
}
