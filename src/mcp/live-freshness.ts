import type { Freshness, RepoFreshness } from '../engine/queries/freshness.js';
import type { RepoWatchState } from '../engine/queries/index-status.js';

/**
 * A `freshness` entry as MCP tools answer it: the index time, whether a watcher of this
 * server keeps the repository fresh, and if so what it knows now.
 */
export type LiveRepoFreshness = RepoFreshness &
  (
    | { watching: false }
    | {
        /** A watcher of this process keeps the repository fresh (events, or polling when events are unavailable). */
        watching: true;
        /** Changes the watcher has seen that no index run has started on yet. */
        pendingChanges: number;
        /** A run of the watcher is in progress: the answer may predate the changes it is indexing. */
        indexing: boolean;
      }
  );

interface Decorated {
  key: string;
  value: object;
}

/**
 * The decorated copy of each answer, kept while the answer lives. The engine hands back
 * the same answer object while the database is unchanged (its answer cache) and the HTTP
 * layer serializes an answer object once; a new copy per call would undo both. So the copy
 * is reused while the watcher states it shows are the same.
 */
const decorated = new WeakMap<object, Decorated>();

/**
 * Adds the watcher's live state to each repository of an answer's `freshness`. The
 * watcher's counts change without a database write, so they are never put into the
 * engine's (cached) answer itself: the answer is copied, never mutated.
 */
export function withLiveFreshness<T extends { freshness: Freshness }>(answer: T, watchState: ((repo: string) => RepoWatchState | null) | undefined): T {
  const repos = Object.keys(answer.freshness);
  const states = repos.map((repo) => {
    const state = watchState?.(repo) ?? null;
    return state === null || state.mode === 'stopped' ? null : state;
  });
  // The key first: a repeated answer whose watchers show the same is reused without a copy.
  const key = states.map((state) => (state === null ? '-' : `${state.pendingChanges}:${state.running ? 1 : 0}`)).join(',');
  const previous = decorated.get(answer);
  if (previous?.key === key) return previous.value as T;
  const entries = repos.map((repo, i): [string, LiveRepoFreshness] => {
    const f = answer.freshness[repo]!;
    const state = states[i];
    if (!state) return [repo, { ...f, watching: false }];
    return [repo, { ...f, watching: true, pendingChanges: state.pendingChanges, indexing: state.running }];
  });
  // fromEntries defines own properties: a repository named like an Object.prototype key stays an entry.
  const value = { ...answer, freshness: Object.fromEntries(entries) };
  decorated.set(answer, { key, value });
  return value;
}
