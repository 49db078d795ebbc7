import { finishRanking, isGoodMatch, type Ranked } from './search-symbols.js';

/**
 * Hybrid ranking: one score per candidate from both of its scores, not from its ranks.
 *
 * Reciprocal rank fusion gives a list's tenth entry the same weight whether that list
 * found the answer or fell back on noise; here every candidate of either list carries its
 * keyword score (computed for the semantic candidates too, see semanticSearch) and its
 * embedding similarity (a keyword-only candidate gets the lowest similarity the semantic
 * list returned: it was not among the nearest, so it is at most that close). Their weighted
 * sum decides. When no keyword candidate matches the query well, the keyword list is only
 * a fallback and weighs little: the embedding ranks.
 */

/*
 * Weights chosen on the tuning corpora of bench:quality (npm, Python site-packages, JDK)
 * by the worst margin of hybrid over the better of keyword and semantic, per query class:
 * with these, hybrid is at least as good as either input on every class (docs/benchmarks.md).
 */
/** Weight of the keyword score (scaled to ~0-1) when the keyword list has a good match. */
export const KEYWORD_WEIGHT = 1;
/** Weight of the keyword score when it does not: half, so the embedding decides more. */
export const FALLBACK_KEYWORD_WEIGHT = 0.5;
/** Weight of the embedding similarity (cosine, 0-1). */
export const SEMANTIC_WEIGHT = 0.2;

export function fuseRankings(keyword: Ranked[], semantic: Ranked[], limit: number): Ranked[] {
  const keywordWeight = keyword.some(isGoodMatch) ? KEYWORD_WEIGHT : FALLBACK_KEYWORD_WEIGHT;
  const floor = semantic.length > 0 ? Math.min(...semantic.map((s) => s.similarity ?? 0)) : 0;
  const byId = new Map<number, Ranked>();
  for (const hit of semantic) byId.set(hit.row.rowId, hit);
  for (const hit of keyword) byId.set(hit.row.rowId, { ...hit, similarity: byId.get(hit.row.rowId)?.similarity ?? null });
  // Every candidate's `score` is its keyword score (semanticSearch scores its rows' text too).
  const fused = [...byId.values()].map((hit) => ({ ...hit, score: (keywordWeight * hit.score) / 100 + SEMANTIC_WEIGHT * (hit.similarity ?? floor) }));
  return finishRanking(fused, limit);
}
