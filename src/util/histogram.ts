/** Upper bounds (µs) of the latency buckets; the last bucket is open-ended. */
export const LATENCY_BUCKETS_US = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 50_000] as const;

export interface HistogramSnapshot {
  /** `le` is the bucket's upper bound in µs (`Infinity` for the last); counts are not cumulative. */
  buckets: { le: number; count: number }[];
  count: number;
  sumUs: number;
}

/** A fixed-bucket latency histogram: O(1) record, no allocation on the hot path. */
export class LatencyHistogram {
  private readonly counts = new Array<number>(LATENCY_BUCKETS_US.length + 1).fill(0);
  private total = 0;
  private sum = 0;

  record(us: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_US.length && us > LATENCY_BUCKETS_US[i]!) i++;
    this.counts[i]!++;
    this.total++;
    this.sum += us;
  }

  snapshot(): HistogramSnapshot {
    return {
      buckets: this.counts.map((count, i) => ({ le: LATENCY_BUCKETS_US[i] ?? Infinity, count })),
      count: this.total,
      sumUs: this.sum,
    };
  }
}
