/**
 * Hot-path metrics keep counts in plain cells and hand them to prom-client at scrape time: a scrape
 * must see exactly what was counted, however the counting was split between cells and scrapes.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { register } from 'prom-client';
import { BatchedHistogram } from '../../engine/batchedHistogram.ts';
import { TalliedCounter } from '../../engine/talliedCounter.ts';

const uniqueName = (stem: string) => `test_${stem}_${randomUUID().replaceAll('-', '')}`;

/** The sample of `name` (a histogram's: `name` + suffix) with these labels, as a scrape sees it. */
async function scraped(
  name: string,
  labels: Record<string, string>,
  suffix = '',
): Promise<number | undefined> {
  const metric = register.getSingleMetric(name);
  assert.ok(metric, name);
  const { values } = await metric.get();
  return values.find(
    (v) =>
      (suffix === '' || (v as { metricName?: string }).metricName === name + suffix) &&
      Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want),
  )?.value;
}

describe('tallied counter', () => {
  test('a scrape sees every count, from cells and from cold-path inc, and counts are not taken twice', async () => {
    const name = uniqueName('tallied');
    const counter = TalliedCounter.of({ name, help: 'h', labelNames: ['route', 'status'] as const });
    const ok = counter.cell({ route: 'a', status: '200' });
    ok.n += 3;
    ok.n++;
    counter.inc({ route: 'a', status: '400' });
    counter.inc({ route: 'a', status: '200' }, 2);
    assert.equal(await scraped(name, { route: 'a', status: '200' }), 6);
    assert.equal(await scraped(name, { route: 'a', status: '400' }), 1);
    // A second scrape with nothing new: same totals (the cells were drained into the counter).
    assert.equal(await scraped(name, { route: 'a', status: '200' }), 6);
    ok.n += 10;
    assert.equal(await scraped(name, { route: 'a', status: '200' }), 16);
    register.removeSingleMetric(name);
  });

  test("one counter per name in the process: a second `of` shares the first one's cells", async () => {
    const name = uniqueName('shared');
    const first = TalliedCounter.of({ name, help: 'h', labelNames: ['k'] as const });
    const second = TalliedCounter.of({ name, help: 'h', labelNames: ['k'] as const });
    assert.equal(first, second);
    assert.equal(first.cell({ k: 'x' }), second.cell({ k: 'x' }));
    register.removeSingleMetric(name);
  });
});

describe('batched histogram', () => {
  test('a scrape sees every observation with its bucket, count and sum', async () => {
    const name = uniqueName('batched');
    const histogram = BatchedHistogram.of({
      name,
      help: 'h',
      labelNames: ['route'] as const,
      buckets: [1, 10],
    });
    const batch = histogram.batch({ route: 'r' });
    for (const v of [0.5, 2, 20, 5]) batch.observe(v);
    assert.equal(await scraped(name, { route: 'r' }, '_count'), 4);
    assert.equal(await scraped(name, { route: 'r' }, '_sum'), 27.5);
    assert.equal(await scraped(name, { route: 'r', le: '1' }, '_bucket'), 1);
    assert.equal(await scraped(name, { route: 'r', le: '10' }, '_bucket'), 3);
    batch.observe(1);
    assert.equal(await scraped(name, { route: 'r' }, '_count'), 5);
    register.removeSingleMetric(name);
  });

  test('without a scrape, a full batch is handed over after the current callback: memory stays bounded', async () => {
    const name = uniqueName('bounded');
    const histogram = BatchedHistogram.of({ name, help: 'h', buckets: [1] });
    const batch = histogram.batch();
    for (let i = 0; i < 1_000; i++) batch.observe(0.5);
    const pending = () => (batch as unknown as { values: number[] }).values.length;
    assert.equal(pending(), 1_000, 'nothing is handed over on the observing path');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(pending(), 0);
    // prom-client has them now, not yet scraped.
    const { values } = await histogram.metric.get();
    assert.equal(
      values.find((v) => (v as { metricName?: string }).metricName === `${name}_count`)?.value,
      1_000,
    );
    register.removeSingleMetric(name);
  });
});
