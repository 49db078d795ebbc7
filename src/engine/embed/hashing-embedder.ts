/**
 * The offline default embedder: no model, no download, no network. Vectors are feature
 * hashes of what a symbol is called and says about itself, so "similar" means "shares
 * name parts, near-miss spellings, signature and doc words" — weaker than a neural model
 * but free, deterministic and fast enough to run inside the parse workers.
 */

import { invalidArgument } from '../../errors.js';
import { splitIdentifier, textTokens } from '../tokens.js';
import { FeatureHasher, namespaceSeed } from './feature-hash.js';
import { checkInteger } from './option-checks.js';
import type { EmbeddingProvider, SymbolFields } from './provider.js';

/**
 * Bump the version whenever features, weights or hashing change: vectors of different
 * versions are not comparable, and the index rebuilds its vectors when the id changes.
 */
export const HASHING_EMBEDDER_ID = 'hash-v1';

export const DEFAULT_HASH_DIMENSION = 256;
export const MIN_HASH_DIMENSION = 16;
export const MAX_HASH_DIMENSION = 4096;

export interface HashingEmbedderOptions {
  /**
   * Length of the vectors, an integer from 16 to 4096. More dimensions mean fewer hash
   * collisions but a bigger vector index.
   * @default 256
   */
  dimension?: number;
}

/** Namespaces: the same word as a token and as a kind must not share a bucket. */
const TOKEN = namespaceSeed('tok');
const TRIGRAM = namespaceSeed('tri');
const KIND = namespaceSeed('kind');
const EMPTY = namespaceSeed('empty');

/**
 * Each block's share of a symbol vector (its L2 norm before the final normalisation).
 * The name decides most; the enclosing names and near-miss trigrams help rank within it;
 * signature and doc add context without outvoting the name.
 */
const SYMBOL_WEIGHTS = { name: 1, container: 0.35, trigrams: 0.5, signature: 0.4, doc: 0.5, kind: 0.15 } as const;

/** A query's words meet name, signature and doc tokens alike; its trigrams meet name trigrams. */
const QUERY_WEIGHTS = { tokens: 1, trigrams: 0.5 } as const;

/** Text past this many characters is not hashed, which bounds the cost of one huge doc comment. */
const MAX_HASHED_CHARS = 4000;

function head(text: string): string {
  return text.length <= MAX_HASHED_CHARS ? text : text.slice(0, MAX_HASHED_CHARS);
}

export class HashingEmbedder implements EmbeddingProvider {
  readonly id = HASHING_EMBEDDER_ID;
  readonly dimension: number;
  private readonly hasher: FeatureHasher;

  /** @throws PctxError `INVALID_CONFIG` when `dimension` is not an integer in 16..4096. */
  constructor(options: HashingEmbedderOptions = {}) {
    this.dimension = checkInteger('dimension', options.dimension ?? DEFAULT_HASH_DIMENSION, MIN_HASH_DIMENSION, MAX_HASH_DIMENSION);
    this.hasher = new FeatureHasher(this.dimension);
  }

  /** The unit vector of a free-text query (identifiers in it are split like symbol names). */
  embedQuery(text: string): Float32Array {
    if (typeof text !== 'string') throw invalidArgument('text', 'must be a string');
    const hasher = this.hasher;
    const body = head(text);
    for (const token of textTokens(body)) hasher.add(TOKEN, token);
    hasher.endBlock(QUERY_WEIGHTS.tokens);
    for (const word of body.split(/\s+/)) {
      // Words that are only stopwords would add trigrams of "the" and "for" to every query.
      if (textTokens(word).length === 0) continue;
      hasher.addTrigrams(TRIGRAM, splitIdentifier(word).join(''));
    }
    hasher.endBlock(QUERY_WEIGHTS.trigrams);
    return this.finish();
  }

  /** The unit vector of one symbol, weighting its fields (see `SYMBOL_WEIGHTS`). */
  embedSymbol(symbol: SymbolFields): Float32Array {
    const hasher = this.hasher;
    const nameTokens = splitIdentifier(symbol.name);
    for (const token of nameTokens) hasher.add(TOKEN, token);
    hasher.endBlock(SYMBOL_WEIGHTS.name);

    const qualified = symbol.qualifiedName;
    const container = qualified.endsWith(symbol.name) ? qualified.slice(0, qualified.length - symbol.name.length) : qualified;
    for (const token of splitIdentifier(container)) hasher.add(TOKEN, token);
    hasher.endBlock(SYMBOL_WEIGHTS.container);

    hasher.addTrigrams(TRIGRAM, nameTokens.join(''));
    hasher.endBlock(SYMBOL_WEIGHTS.trigrams);

    for (const token of textTokens(head(symbol.signature))) hasher.add(TOKEN, token);
    hasher.endBlock(SYMBOL_WEIGHTS.signature);

    if (symbol.doc) for (const token of textTokens(head(symbol.doc))) hasher.add(TOKEN, token);
    hasher.endBlock(SYMBOL_WEIGHTS.doc);

    hasher.add(KIND, symbol.kind);
    hasher.endBlock(SYMBOL_WEIGHTS.kind);
    return this.finish();
  }

  embedSync(texts: readonly string[]): Float32Array[] {
    return texts.map((text) => this.embedQuery(text));
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    signal?.throwIfAborted();
    return this.embedSync(texts);
  }

  embedSymbolsSync(symbols: readonly SymbolFields[]): Float32Array[] {
    return symbols.map((symbol) => this.embedSymbol(symbol));
  }

  async embedSymbols(symbols: readonly SymbolFields[], signal?: AbortSignal): Promise<Float32Array[]> {
    signal?.throwIfAborted();
    return this.embedSymbolsSync(symbols);
  }

  /**
   * Text with no features at all (empty, punctuation, only stopwords) still gets a unit
   * vector — the same one every time — so that every stored vector has length 1.
   */
  private finish(): Float32Array {
    const vector = this.hasher.finish();
    if (vector !== null) return vector;
    this.hasher.add(EMPTY, '');
    this.hasher.endBlock(1);
    return this.hasher.finish()!;
  }
}

/** Shorthand for `new HashingEmbedder({ dimension })`. */
export function createHashingEmbedder(dimension: number = DEFAULT_HASH_DIMENSION): HashingEmbedder {
  return new HashingEmbedder({ dimension });
}
