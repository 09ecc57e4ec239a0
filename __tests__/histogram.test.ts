import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHistogram, encodeHistogram, mergeHistograms, newLatencyHistogram, recordLatencyMs, summarize } from '../src/load/histogram.js';

// 3 significant digits: any value is within 0.1% of what was recorded.
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) <= expected * 0.001 + 1, `${actual} vs ${expected}`);
// Decoding keeps every bucket; a max read back is its bucket's top, also within 0.1%.
function sameSummary(a: ReturnType<typeof summarize>, b: ReturnType<typeof summarize>): void {
  for (const key of Object.keys(a) as Array<keyof typeof a>) close(a[key], b[key]);
  assert.deepEqual([a.p50, a.p90, a.p99, a.p999], [b.p50, b.p90, b.p99, b.p999]);
}

describe('latency histogram', () => {
  it('keeps microseconds: 1..1000 ms gives exact percentiles', () => {
    const h = newLatencyHistogram();
    for (let i = 1; i <= 1000; i++) recordLatencyMs(h, i);
    const s = summarize(h);
    close(s.p50, 500_000);
    close(s.p90, 900_000);
    close(s.p99, 990_000);
    close(s.p999, 999_000);
    close(s.max, 1_000_000);
    close(s.mean, 500_500);
  });

  it('sub-millisecond latencies are not rounded to 0', () => {
    const h = newLatencyHistogram();
    for (const ms of [0.12, 0.25, 0.25, 0.4]) recordLatencyMs(h, ms);
    close(summarize(h).p50, 250);
    close(summarize(h).max, 400);
  });

  it('an empty histogram summarizes to zeros', () => {
    assert.deepEqual(summarize(newLatencyHistogram()), { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 });
  });

  it('encodes and decodes without loss', () => {
    const h = newLatencyHistogram();
    for (let i = 0; i < 500; i++) recordLatencyMs(h, 1 + (i % 37) * 0.731);
    sameSummary(summarize(decodeHistogram(encodeHistogram(h))), summarize(h));
  });

  it('merging trials equals one histogram of all values', () => {
    const a = newLatencyHistogram();
    const b = newLatencyHistogram();
    const all = newLatencyHistogram();
    for (let i = 1; i <= 900; i++) {
      recordLatencyMs(a, i / 10);
      recordLatencyMs(all, i / 10);
    }
    for (let i = 1; i <= 100; i++) {
      recordLatencyMs(b, 1000 + i);
      recordLatencyMs(all, 1000 + i);
    }
    const merged = mergeHistograms([encodeHistogram(a), encodeHistogram(b)]);
    assert.equal(merged.totalCount, 1000);
    sameSummary(summarize(merged), summarize(all));
    // 90% of values are <= 90 ms, the slowest 10% are 1,001-1,100 ms.
    close(summarize(merged).p90, 90_000);
    close(summarize(merged).p99, 1_090_000);
  });
});
