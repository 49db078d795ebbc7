/**
 * The contract every embedding provider meets, so the indexer and search never care
 * whether vectors come from the offline hashing embedder or an HTTP model server.
 */

/**
 * The parts of a symbol that are embedded. `ExtractedSymbol` (src/parse/types.ts) has
 * these fields, so a parsed symbol can be passed as is.
 */
export interface SymbolFields {
  readonly name: string;
  readonly qualifiedName: string;
  readonly kind: string;
  readonly signature: string;
  readonly doc: string | null;
}

export interface EmbeddingProvider {
  /**
   * Names the vector space, e.g. `hash-v1` or `openai:nomic-embed-text`. Vectors from two
   * providers are comparable only if both `id` and `dimension` are equal; the index stores
   * them and rebuilds its vectors when either changes.
   */
  readonly id: string;
  readonly dimension: number;
  /**
   * Embeds free text such as a search query: one L2-normalised vector per text, in input
   * order. An empty array resolves to an empty array without any work. Rejects with the
   * signal's reason when aborted, and with `EMBEDDING_FAILED` when the provider fails.
   */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
  /** `embed` without the promise, for providers that compute locally; worker threads use it. */
  embedSync?(texts: readonly string[]): Float32Array[];
  /**
   * Embeds symbols for the index, one L2-normalised vector each, in input order. Text
   * models embed `symbolEmbeddingText(symbol)`; the hashing embedder weights the fields
   * itself. Either way both see the same fields, so switching providers needs no change
   * in the indexer.
   */
  embedSymbols(symbols: readonly SymbolFields[], signal?: AbortSignal): Promise<Float32Array[]>;
  /** `embedSymbols` without the promise, when `embedSync` exists. */
  embedSymbolsSync?(symbols: readonly SymbolFields[]): Float32Array[];
}
