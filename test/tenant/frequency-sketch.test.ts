import { describe, expect, it } from 'vitest';
import { FrequencySketch } from '../../src/tenant/frequency-sketch.js';

const tenantId = (i: number) => i.toString(16).padStart(8, '0');

describe('FrequencySketch', () => {
  it('counts requests per key, capped at 15', () => {
    const sketch = new FrequencySketch(256);
    for (let n = 0; n < 5; n++) sketch.increment('0000abcd');
    expect(sketch.frequency('0000abcd')).toBe(5);
    expect(sketch.frequency('0000abce')).toBe(0);
    for (let n = 0; n < 50; n++) sketch.increment('0000abcd');
    expect(sketch.frequency('0000abcd')).toBe(15);
  });

  it('never underestimates before aging, and rarely overestimates among 2,000 keys', () => {
    // 2,000 increments of 1,000 keys stay below the aging sample (10 × 256 = 2,560).
    const sketch = new FrequencySketch(256);
    for (let i = 0; i < 1000; i++) {
      sketch.increment(tenantId(i));
      if (i % 2 === 0) sketch.increment(tenantId(i));
    }
    let overestimated = 0;
    for (let i = 0; i < 1000; i++) {
      const truth = i % 2 === 0 ? 2 : 1;
      const estimate = sketch.frequency(tenantId(i));
      expect(estimate).toBeGreaterThanOrEqual(truth);
      if (estimate > truth) overestimated++;
    }
    expect(overestimated).toBeLessThan(20);
  });

  it('halves every count after 10 × capacity increments, so old popularity fades', () => {
    const sketch = new FrequencySketch(10); // aging sample: max(100, 10 × 10) = 100
    for (let n = 0; n < 12; n++) sketch.increment('00000001');
    for (let i = 0; i < 87; i++) sketch.increment(tenantId(1000 + i));
    expect(sketch.frequency('00000001')).toBe(12);
    sketch.increment(tenantId(5000)); // the 100th increment ages the sketch
    expect(sketch.frequency('00000001')).toBe(6);
  });
});
