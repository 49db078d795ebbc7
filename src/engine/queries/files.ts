import type { TenantDb } from '../../tenant/tenant-db.js';
import type { FileContentParams, FileOutlineParams } from '../params.js';
import { invalidArgument } from '../../errors.js';
import { freshnessOfRepo, type Freshness } from './freshness.js';
import { requireFile, requireRepo, summarize } from './lookup.js';
import { sliceLines } from './symbol-source.js';

export interface OutlineNode {
  id: string;
  name: string;
  qualifiedName: string;
  kind: string;
  startLine: number;
  endLine: number;
  signature: string;
  summary: string | null;
  /** Declared inside a function body: a closure, a local class or its member. Foldable. */
  local: boolean;
  children: OutlineNode[];
}

export interface FileOutline {
  repo: string;
  path: string;
  language: string;
  lineCount: number;
  /** The parser met syntax errors in this file: the outline may miss symbols. */
  syntaxErrors: boolean;
  symbols: OutlineNode[];
  /** When the repository was indexed (freshness.ts). */
  freshness: Freshness;
}

/** The file's symbols as a tree (methods under their class), in source order. */
export function getFileOutline(db: TenantDb, tenantId: string, params: FileOutlineParams): FileOutline {
  const repo = requireRepo(db, tenantId, params.repo);
  const file = requireFile(db, tenantId, repo, params.path);
  const rows = db
    .prepare(
      `SELECT id AS rowId, uid AS id, name, qualified_name AS qualifiedName, kind, start_line AS startLine, end_line AS endLine,
              signature, doc, parent_id AS parentId, local
       FROM symbols WHERE tenant_id = ? AND file_id = ? ORDER BY start_byte, id`,
    )
    .all(tenantId, file.id) as (Omit<OutlineNode, 'children' | 'summary' | 'local'> & {
    rowId: number;
    parentId: number | null;
    doc: string | null;
    local: number;
  })[];
  const nodes = new Map<number, OutlineNode>();
  const roots: OutlineNode[] = [];
  for (const r of rows) {
    nodes.set(r.rowId, {
      id: r.id,
      name: r.name,
      qualifiedName: r.qualifiedName,
      kind: r.kind,
      startLine: r.startLine,
      endLine: r.endLine,
      signature: r.signature,
      summary: summarize(r.doc),
      local: r.local === 1,
      children: [],
    });
  }
  for (const r of rows) {
    const node = nodes.get(r.rowId)!;
    const parent = r.parentId === null ? undefined : nodes.get(r.parentId);
    (parent ? parent.children : roots).push(node);
  }
  return { repo: repo.name, path: file.path, language: file.language, lineCount: file.lineCount, syntaxErrors: file.hasErrors === 1, symbols: roots, freshness: freshnessOfRepo(repo) };
}

export interface FileContent {
  repo: string;
  path: string;
  language: string;
  startLine: number;
  endLine: number;
  totalLines: number;
  content: string;
  /** When the repository was indexed (freshness.ts). */
  freshness: Freshness;
}

/**
 * Stored content of a file, whole or a line range. `endLine` is clamped to the file; a
 * `startLine` past the last line is an error (it used to answer an empty range that
 * claimed to start on the last line). An empty file has the empty range 1–0.
 */
export function getFileContent(db: TenantDb, tenantId: string, params: FileContentParams): FileContent {
  const repo = requireRepo(db, tenantId, params.repo);
  const file = requireFile(db, tenantId, repo, params.path);
  const startLine = params.startLine ?? 1;
  if (params.endLine !== undefined && params.endLine < startLine) {
    throw invalidArgument('endLine', `must be at least startLine (${startLine})`);
  }
  if (startLine > Math.max(file.lineCount, 1)) {
    throw invalidArgument('startLine', `is past the end of the file, which has ${file.lineCount} line${file.lineCount === 1 ? '' : 's'}`);
  }
  const endLine = Math.min(params.endLine ?? file.lineCount, file.lineCount);
  const content = db.prepare('SELECT content FROM files WHERE id = ? AND tenant_id = ?').pluck().get(file.id, tenantId) as string;
  return {
    repo: repo.name,
    path: file.path,
    language: file.language,
    startLine,
    endLine,
    totalLines: file.lineCount,
    content: file.lineCount === 0 ? '' : sliceLines(content, startLine, endLine),
    freshness: freshnessOfRepo(repo),
  };
}
