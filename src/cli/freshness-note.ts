import type { Freshness } from '../engine/queries/freshness.js';
import { printable } from './output.js';

/** An ISO time as people read it next to a listing: `12 s ago`, `3 min ago`, `2 d ago`; `never` for null. */
export function ago(iso: string | null, now: number): string {
  if (iso === null) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/**
 * When the repositories an answer came from were indexed, for human output: `indexed
 * 3 min ago` for one repository, `indexed: app 3 min ago, lib 2 d ago` for several,
 * '' for none.
 */
export function indexedNote(freshness: Freshness, now: number): string {
  const entries = Object.entries(freshness);
  if (entries.length === 0) return '';
  if (entries.length === 1) return `indexed ${ago(entries[0]![1].indexedAt, now)}`;
  return `indexed: ${entries.map(([repo, f]) => `${printable(repo)} ${ago(f.indexedAt, now)}`).join(', ')}`;
}
