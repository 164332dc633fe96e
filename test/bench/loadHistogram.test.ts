import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyHistogram } from '../../bench/load/histogram.ts';
import { percentile } from '../../bench/report.ts';

test('percentiles stay within 1 % of the exact nearest rank; the max is exact', () => {
  const samples = Array.from({ length: 10_000 }, (_, i) => 0.05 + ((i * 7919) % 10_000) * 0.37);
  const h = new LatencyHistogram();
  for (const s of samples) h.record(s);
  const sorted = [...samples].sort((a, b) => a - b);
  for (const p of [1, 50, 90, 99, 99.9]) {
    const exact = percentile(sorted, p);
    assert.ok(Math.abs(h.percentile(p) - exact) <= exact * 0.01, `p${p}: ${h.percentile(p)} vs ${exact}`);
  }
  assert.equal(h.percentile(100), sorted.at(-1));
  assert.equal(h.maxMs, sorted.at(-1));
});

test('merged states equal one histogram of every sample; samples() is sorted and bounded', () => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  const all = new LatencyHistogram();
  for (let i = 0; i < 5_000; i++) {
    const ms = (i % 97) * 1.3 + 0.2;
    (i % 2 ? a : b).record(ms);
    all.record(ms);
  }
  const merged = LatencyHistogram.merge([a.state(), b.state()]);
  assert.equal(merged.total, all.total);
  assert.deepEqual(merged.state(), all.state());
  const samples = merged.samples(500);
  assert.equal(samples.length, 500);
  assert.deepEqual(
    samples,
    [...samples].sort((x, y) => x - y),
  );
  assert.equal(samples.at(-1), all.maxMs);
});

test('an empty histogram answers NaN, not a number it never saw', () => {
  const h = new LatencyHistogram();
  assert.ok(Number.isNaN(h.percentile(50)));
  assert.deepEqual(h.samples(), []);
});
