import fs from 'node:fs';

export interface ProcSample {
  /** Seconds since the sampler started. */
  t: number;
  rssBytes: number;
  fds: number;
}

/** RSS (VmRSS) and open file descriptors of a Linux process, read from /proc/<pid>. */
export function sampleProc(pid: number, t: number): ProcSample | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
    return { t, rssBytes: rss ? Number(rss[1]) * 1024 : 0, fds };
  } catch {
    return null;
  }
}

/** Least-squares slope of y over x (per unit of x); 0 with fewer than two points. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
