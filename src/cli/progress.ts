import cliProgress from 'cli-progress';
import type { IndexProgress } from '../engine/indexer/index-run.js';

const LABELS: Record<IndexProgress['phase'], string> = {
  discovering: 'Finding files',
  waiting: 'Waiting for another index run of this tenant',
  embedding: 'Re-embedding',
  parsing: 'Parsing',
  resolving: 'Resolving imports',
  committing: 'Committing',
  vectors: 'Vector index',
};

/**
 * A progress bar on stderr for index runs, only when stderr is a terminal (never in
 * --json mode or pipes, where it would be noise). Parsing shows files and time left;
 * phases of unknown length show the time spent so far.
 */
export function indexProgressBar(enabled: boolean): { update: (p: IndexProgress) => void; stop: () => void; visible: boolean } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {}, visible: false };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ' {phase} |{bar}| {detail}',
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let phase: IndexProgress['phase'] | null = null;
  let phaseStart = 0;
  let ticker: NodeJS.Timeout | undefined;
  const elapsed = () => `${Math.floor((Date.now() - phaseStart) / 1000)}s`;
  return {
    visible: true,
    update(p) {
      const label = LABELS[p.phase].padEnd(17);
      if (p.phase !== phase) {
        phase = p.phase;
        phaseStart = Date.now();
        if (ticker) clearInterval(ticker);
        ticker = undefined;
        if (p.phase !== 'parsing') {
          ticker = setInterval(() => bar.update({ detail: elapsed() }), 1000);
          ticker.unref();
        }
      }
      if (!started) {
        bar.start(1, 0, { phase: label, detail: '' });
        started = true;
      }
      if (p.phase === 'parsing') {
        bar.setTotal(Math.max(p.total, 1));
        const seconds = (Date.now() - phaseStart) / 1000;
        const left = p.done > 0 ? Math.ceil(((p.total - p.done) * seconds) / p.done) : null;
        bar.update(p.done, { phase: label, detail: `${p.done}/${p.total} files${left === null ? '' : ` · ${left}s left`}` });
      } else {
        bar.update(bar.getTotal(), { phase: label, detail: elapsed() });
      }
    },
    stop() {
      if (ticker) clearInterval(ticker);
      if (started) bar.stop();
    },
  };
}
