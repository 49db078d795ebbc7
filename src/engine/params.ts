import { z } from 'zod';
import { PctxError } from '../errors.js';
import { LANGUAGES, SYMBOL_KINDS } from '../parse/types.js';
import { REPO_NAME_PATTERN } from '../repo-name.js';

/**
 * Input schemas of the engine's operations: the one definition that validates engine
 * calls and that MCP tools publish as JSON Schema. Transports never re-describe them.
 */

const repoName = z
  .string()
  .min(1)
  .max(128)
  .describe('Repository name as shown by list_repos');

const repoPath = z
  .string()
  .min(1)
  .max(4096)
  .describe("File path relative to the repository root, with '/' separators");

export const SEARCH_MODES = ['keyword', 'semantic', 'hybrid'] as const;

export const searchSymbolsShape = {
  query: z.string().trim().min(1).max(500).describe('Name, part of a name, or words describing the code'),
  kind: z.enum(SYMBOL_KINDS).optional().describe('Only symbols of this kind'),
  language: z.enum(LANGUAGES).optional().describe('Only symbols in this language'),
  pathPrefix: z.string().max(4096).optional().describe('Only symbols in files whose path starts with this'),
  repo: repoName.optional().describe('Only symbols of this repository'),
  limit: z.number().int().min(1).max(100).default(10).describe('Most results to return'),
  mode: z
    .enum(SEARCH_MODES)
    .default('keyword')
    .describe('keyword: names, sub-words and sentence words over names, paths, signatures, docs and the code; semantic: embedding similarity; hybrid: both scores combined'),
};

export const symbolSourceShape = {
  id: z.string().min(1).max(2048).describe('Symbol id from search_symbols or get_file_outline'),
  contextLines: z.number().int().min(0).max(200).default(0).describe('Extra lines before and after the symbol'),
};

export const fileOutlineShape = {
  repo: repoName,
  path: repoPath,
};

export const fileContentShape = {
  repo: repoName,
  path: repoPath,
  startLine: z.number().int().min(1).optional().describe('First line (1-based, inclusive)'),
  endLine: z.number().int().min(1).optional().describe('Last line (1-based, inclusive)'),
};

export const repoShape = { repo: repoName };

export const indexStatusShape = {
  repo: repoName.optional().describe('Only this repository (default: all)'),
  checkDisk: z.boolean().default(true).describe('Walk each folder and count files changed on disk since the last index run'),
};

export const fileRefShape = { repo: repoName, path: repoPath };

export const indexFolderShape = {
  path: z.string().min(1).max(4096).describe('Folder to index (absolute, or relative to the server working directory)'),
  name: z
    .string()
    .regex(REPO_NAME_PATTERN, 'lowercase letters, digits, ".", "_" and "-", starting with a letter or digit')
    .optional()
    .describe('Repository name (default: the folder name)'),
  exclude: z
    .array(z.string().min(1).max(256))
    .max(100)
    .optional()
    .describe('Extra gitignore-style patterns to skip. Remembered by the repository until given again; [] clears them'),
  include: z
    .array(z.string().min(1).max(256))
    .max(100)
    .optional()
    .describe(
      'Gitignore-style patterns of folders or files to index although a built-in exclude (dist/, build/, vendor/, node_modules/…) or a .gitignore skips them, e.g. ["dist/"]. Remembered by the repository until given again; [] clears them',
    ),
};

export type SearchSymbolsParams = z.output<z.ZodObject<typeof searchSymbolsShape>>;
export type SymbolSourceParams = z.output<z.ZodObject<typeof symbolSourceShape>>;
export type FileOutlineParams = z.output<z.ZodObject<typeof fileOutlineShape>>;
export type FileContentParams = z.output<z.ZodObject<typeof fileContentShape>>;
export type IndexStatusParams = z.output<z.ZodObject<typeof indexStatusShape>>;
export type RepoParams = z.output<z.ZodObject<typeof repoShape>>;
export type FileRefParams = z.output<z.ZodObject<typeof fileRefShape>>;
export type IndexFolderParams = z.output<z.ZodObject<typeof indexFolderShape>>;

/** Input types (defaults optional) for callers. */
export type SearchSymbolsInput = z.input<z.ZodObject<typeof searchSymbolsShape>>;
export type SymbolSourceInput = z.input<z.ZodObject<typeof symbolSourceShape>>;
export type FileContentInput = z.input<z.ZodObject<typeof fileContentShape>>;

/**
 * Validates `input` against a shape: unknown keys are rejected, defaults applied, and
 * the first problem becomes INVALID_ARGUMENT naming the option. The result is frozen.
 */
const compiled = new WeakMap<z.ZodRawShape, z.ZodObject>();

export function parseParams<S extends z.ZodRawShape>(shape: S, input: unknown): Readonly<z.output<z.ZodObject<S>>> {
  // Building the schema costs more than a keyword search's SQL: once per shape.
  let schema = compiled.get(shape);
  if (!schema) compiled.set(shape, (schema = z.strictObject(shape)));
  const result = (schema as z.ZodObject<S>).safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const option = issue.path.length > 0 ? issue.path.join('.') : issue.code === 'unrecognized_keys' ? String(issue.keys[0]) : '(input)';
    throw new PctxError('INVALID_ARGUMENT', { option, reason: issue.message });
  }
  return Object.freeze(result.data);
}
