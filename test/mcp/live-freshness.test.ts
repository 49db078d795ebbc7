import { describe, expect, it } from 'vitest';
import type { RepoWatchState } from '../../src/engine/queries/index-status.js';
import { withLiveFreshness } from '../../src/mcp/live-freshness.js';

function state(overrides: Partial<RepoWatchState> = {}): RepoWatchState {
  return { mode: 'events', pendingChanges: 0, running: false, runs: 1, lastRunAt: null, lastError: null, warning: null, ...overrides };
}

const answer = Object.freeze({
  query: 'x',
  results: [],
  freshness: Object.freeze({ app: Object.freeze({ indexedAt: '2026-12-01T10:00:00.000Z' }), lib: Object.freeze({ indexedAt: null }) }),
});

describe("the watcher's live state in MCP answers", () => {
  it('adds watching, pendingChanges and indexing per repository, without touching the cached answer', () => {
    const states: Record<string, RepoWatchState> = { app: state({ pendingChanges: 3, running: true }) };
    const live = withLiveFreshness(answer, (repo) => states[repo] ?? null);
    expect(live).toEqual({
      query: 'x',
      results: [],
      freshness: {
        app: { indexedAt: '2026-12-01T10:00:00.000Z', watching: true, pendingChanges: 3, indexing: true },
        lib: { indexedAt: null, watching: false },
      },
    });
    expect(answer.freshness.app).toEqual({ indexedAt: '2026-12-01T10:00:00.000Z' });
  });

  it('says watching: false when the server watches nothing, and for a stopped watcher', () => {
    expect(withLiveFreshness(answer, undefined).freshness).toEqual({ app: { indexedAt: '2026-12-01T10:00:00.000Z', watching: false }, lib: { indexedAt: null, watching: false } });
    expect(withLiveFreshness(answer, () => state({ mode: 'stopped' })).freshness.app).toEqual({ indexedAt: '2026-12-01T10:00:00.000Z', watching: false });
  });

  it('returns the same object for the same answer while the watcher states are the same, so its serialized text is reused', () => {
    let pending = 0;
    const watch = () => state({ pendingChanges: pending });
    const first = withLiveFreshness(answer, watch);
    expect(withLiveFreshness(answer, watch)).toBe(first);
    pending = 2;
    const changed = withLiveFreshness(answer, watch);
    expect(changed).not.toBe(first);
    expect(changed.freshness.app).toMatchObject({ pendingChanges: 2 });
    expect(withLiveFreshness(answer, watch)).toBe(changed);
  });
});
