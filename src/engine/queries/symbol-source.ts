import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PctxError } from '../../errors.js';
import type { TenantDb } from '../../tenant/tenant-db.js';
import type { SymbolSourceParams } from '../params.js';
import { freshnessOfRepo, type Freshness } from './freshness.js';
import { SYMBOL_COLUMNS, symbolInfo, type SymbolInfo, type SymbolRow } from './lookup.js';
import { readRegularFileSync } from '../indexer/read-regular-file.js';

/** How the file on disk compares with what was indexed. */
export type FileState = 'unchanged' | 'modified' | 'deleted';

export interface SymbolSource extends SymbolInfo {
  doc: string | null;
  /** First line of `source` (differs from startLine when contextLines > 0). */
  sourceStartLine: number;
  sourceEndLine: number;
  /** The symbol's lines from the indexed content, with the requested context. */
  source: string;
  /** 'modified' or 'deleted': the file changed on disk since it was indexed; re-index for fresh source. */
  fileState: FileState;
  /** When the repository was indexed (freshness.ts). */
  freshness: Freshness;
}

/** Lines [from, to] (1-based, inclusive) of `text`, without splitting the whole string. */
export function sliceLines(text: string, from: number, to: number): string {
  let start = 0;
  for (let line = 1; line < from; line++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return '';
    start = nl + 1;
  }
  let end = start;
  for (let line = from; line <= to; line++) {
    const nl = text.indexOf('\n', end);
    if (nl < 0) {
      end = text.length;
      break;
    }
    end = nl + 1;
  }
  return text.slice(start, end).replace(/\r?\n$/, '');
}

/**
 * Compares the file on disk with the indexed row: size and mtime first (no read), then
 * the content hash when they differ (a touched but identical file is 'unchanged').
 */
export function fileStateOnDisk(rootPath: string, relPath: string, stored: { size: number; mtimeMs: number; hash: string }): FileState {
  const abs = path.join(rootPath, ...relPath.split('/'));
  try {
    const stat = fs.statSync(abs);
    if (!stat.isFile()) return 'deleted';
    if (stat.size === stored.size && Math.floor(stat.mtimeMs) === stored.mtimeMs) return 'unchanged';
    if (stat.size !== stored.size) return 'modified';
    const hash = crypto.createHash('sha256').update(readRegularFileSync(abs)).digest('hex');
    return hash === stored.hash ? 'unchanged' : 'modified';
  } catch {
    return 'deleted';
  }
}

export function getSymbolSource(db: TenantDb, tenantId: string, params: SymbolSourceParams): SymbolSource {
  const row = db
    .prepare(
      `SELECT ${SYMBOL_COLUMNS}, f.content, f.line_count AS lineCount, f.size, f.mtime_ms AS mtimeMs,
              f.content_hash AS hash, r.root_path AS rootPath, r.indexed_at AS indexedAt
       FROM symbols s JOIN files f ON f.id = s.file_id JOIN repos r ON r.id = s.repo_id
       WHERE s.tenant_id = ? AND s.uid = ?`,
    )
    .get(tenantId, params.id) as
    | (SymbolRow & { content: string; lineCount: number; size: number; mtimeMs: number; hash: string; rootPath: string; indexedAt: string | null })
    | undefined;
  if (!row) throw new PctxError('SYMBOL_NOT_FOUND', { symbolId: params.id });
  const from = Math.max(1, row.startLine - params.contextLines);
  const to = Math.min(row.lineCount, row.endLine + params.contextLines);
  return {
    ...symbolInfo(row),
    doc: row.doc,
    sourceStartLine: from,
    sourceEndLine: to,
    source: sliceLines(row.content, from, to),
    fileState: fileStateOnDisk(row.rootPath, row.filePath, row),
    freshness: freshnessOfRepo({ name: row.repo, indexedAt: row.indexedAt }),
  };
}
