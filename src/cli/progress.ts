import cliProgress from 'cli-progress';
import type { IndexProgress } from '../engine/indexer/index-run.js';

const LABELS: Record<IndexProgress['phase'], string> = {
  discovering: 'Finding files',
  parsing: 'Parsing',
  resolving: 'Resolving imports',
  committing: 'Committing',
  vectors: 'Vector index',
};

/**
 * A progress bar on stderr for index runs, only when stderr is a terminal (never in
 * --json mode or pipes, where it would be noise).
 */
export function indexProgressBar(enabled: boolean): { update: (p: IndexProgress) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ' {phase} |{bar}| {value}/{total} files · {eta_formatted} left',
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const phase = LABELS[p.phase].padEnd(17);
      if (!started) {
        bar.start(Math.max(p.total, 1), p.done, { phase });
        started = true;
      }
      if (p.phase === 'parsing') bar.setTotal(Math.max(p.total, 1));
      bar.update(p.phase === 'parsing' ? p.done : bar.getTotal(), { phase });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
