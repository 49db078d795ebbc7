import { describe, expect, it } from 'vitest';
import { createEmbedder, resolveEmbedderConfig, type EmbedderConfig } from '../../../src/engine/embed/create-embedder.js';
import { HashingEmbedder } from '../../../src/engine/embed/hashing-embedder.js';
import { OpenAIEmbedder } from '../../../src/engine/embed/openai-embedder.js';
import { isPctxError, type PctxError } from '../../../src/errors.js';

function configError(config: unknown): PctxError {
  let error: unknown;
  try {
    createEmbedder(config as EmbedderConfig);
  } catch (err) {
    error = err;
  }
  expect(isPctxError(error, 'INVALID_CONFIG')).toBe(true);
  return error as PctxError;
}

const OPENAI = { provider: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'nomic-embed-text', dimension: 768 } as const;

describe('createEmbedder', () => {
  it('builds the offline hashing embedder with 256 dimensions when nothing is configured', () => {
    const embedder = createEmbedder({});
    expect(embedder).toBeInstanceOf(HashingEmbedder);
    expect(embedder.id).toBe('hash-v1');
    expect(embedder.dimension).toBe(256);
    expect(embedder.embedSync).toBeTypeOf('function');
    expect(embedder.embedSymbolsSync).toBeTypeOf('function');
    expect(createEmbedder({ provider: 'hash', dimension: 64 }).dimension).toBe(64);
  });

  it('treats options set to undefined as absent, as the configuration loader produces them', () => {
    const embedder = createEmbedder({ provider: 'hash', dimension: undefined, baseUrl: undefined, model: undefined, apiKey: undefined });
    expect(embedder.dimension).toBe(256);
  });

  it('builds an OpenAI-compatible embedder with its defaults', () => {
    const embedder = createEmbedder({ ...OPENAI, apiKey: 'sk-x' });
    expect(embedder).toBeInstanceOf(OpenAIEmbedder);
    expect(embedder.id).toBe('openai:nomic-embed-text');
    expect(embedder.dimension).toBe(768);
    expect(embedder.embedSync).toBeUndefined();
    expect(embedder).toMatchObject({ batchSize: 64, timeoutMs: 30_000, maxRetries: 2, retryBaseDelayMs: 500, baseUrl: OPENAI.baseUrl });
    expect(createEmbedder({ ...OPENAI, batchSize: 8, timeoutMs: 1000, maxRetries: 0, retryBaseDelayMs: 10 })).toMatchObject({
      batchSize: 8,
      timeoutMs: 1000,
      maxRetries: 0,
      retryBaseDelayMs: 10,
    });
  });

  it('returns the resolved configuration frozen, with defaults applied', () => {
    const hash = resolveEmbedderConfig({});
    expect(hash).toEqual({ provider: 'hash', dimension: 256 });
    expect(Object.isFrozen(hash)).toBe(true);
    const openai = resolveEmbedderConfig({ ...OPENAI, baseUrl: 'http://127.0.0.1:11434/v1/' });
    expect(openai).toMatchObject({ provider: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'nomic-embed-text', dimension: 768 });
    expect(Object.isFrozen(openai)).toBe(true);
  });

  it.each([
    ['an unknown provider', { provider: 'cohere' }, 'provider'],
    ['an unknown option', { provider: 'hash', dimensions: 256 }, 'dimensions'],
    ['a dimension given as a string', { dimension: '256' }, 'dimension'],
    ['a hash dimension below 16', { dimension: 8 }, 'dimension'],
    ['a hash dimension above 4096', { dimension: 8192 }, 'dimension'],
    ['a model for the hash provider', { provider: 'hash', model: 'nomic-embed-text' }, 'model'],
    ['an API key for the hash provider', { apiKey: 'sk-x' }, 'apiKey'],
    ['openai without a base URL', { provider: 'openai', model: 'm', dimension: 8 }, 'baseUrl'],
    ['openai without a model', { provider: 'openai', baseUrl: 'http://localhost:1/v1', dimension: 8 }, 'model'],
    ['openai without a dimension', { provider: 'openai', baseUrl: 'http://localhost:1/v1', model: 'm' }, 'dimension'],
    ['a base URL that is not http', { ...OPENAI, baseUrl: 'file:///etc/passwd' }, 'baseUrl'],
    ['an empty model', { ...OPENAI, model: ' ' }, 'model'],
    ['a batch size of zero', { ...OPENAI, batchSize: 0 }, 'batchSize'],
    ['a fractional timeout', { ...OPENAI, timeoutMs: 2.5 }, 'timeoutMs'],
    ['too many retries', { ...OPENAI, maxRetries: 99 }, 'maxRetries'],
  ])('rejects %s with INVALID_CONFIG naming the option', (_label, config, option) => {
    expect(configError(config).details.option).toBe(option);
  });

  it('rejects a configuration that is not an object', () => {
    expect(configError(null).details.option).toBe('embedding');
    expect(configError('hash').details.option).toBe('embedding');
  });

  it('reports problems in a fixed order: types, then values, then combinations', () => {
    // Missing baseUrl and model (combinations) lose to a dimension of the wrong type.
    expect(configError({ provider: 'openai', dimension: 'big' }).details).toMatchObject({ option: 'dimension', reason: 'must be an integer' });
    // ...and to a dimension out of range.
    expect(configError({ provider: 'openai', dimension: 0 }).details.option).toBe('dimension');
    // A bad hash dimension is reported before the openai-only model option.
    expect(configError({ provider: 'hash', model: 'm', dimension: 5 }).details.option).toBe('dimension');
    // Types of every option are checked before any value.
    expect(configError({ ...OPENAI, dimension: 0, batchSize: 'x' }).details.option).toBe('batchSize');
  });

  it('never echoes a rejected value, which might be a secret', () => {
    const error = configError({ ...OPENAI, baseUrl: 'sk-live-secret-value' });
    expect(error.details.option).toBe('baseUrl');
    expect(JSON.stringify(error)).not.toContain('sk-live-secret-value');
  });
});
