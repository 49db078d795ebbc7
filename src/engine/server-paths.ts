import fs from 'node:fs';
import path from 'node:path';
import { redactPctxError, toPctxError, type PctxError } from '../errors.js';
import { TENANT_FILES, tenantsRoot, type TenantPaths } from '../tenant/tenant-paths.js';
import { isInsideFolder } from './allowed-roots.js';

/** Where a repository's files come from: a folder on the machine, or an upload (hosting.md#uploads). */
export type RepoSource = 'folder' | 'upload';

export interface PublicRoot {
  /**
   * A folder repository's root as indexed (its real path); an upload's `uploads/<name>`,
   * its place inside the tenant folder — never a server path.
   */
  root: string;
  source: RepoSource;
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * How the server's own paths appear to a tenant: uploaded repositories by their place in
 * the tenant folder, and nothing of the data folder's location or layout in answers or
 * error messages. Folder repositories (read from `hosting.allowedRoots`, or anywhere
 * locally) keep their path: the caller named that folder itself.
 */
export class ServerPaths {
  /** Applied in order: the tenants folder before the data folder that holds it. */
  private readonly rules: { pattern: RegExp; replace: (whole: string, id?: string, rest?: string) => string }[];

  /** @param redact Rewrite server paths in error messages (a hosted engine); local use shows them. */
  constructor(
    dataDir: string,
    readonly redact: boolean,
  ) {
    // Both spellings: roots are stored as real paths, messages may carry either.
    const sep = escapeRegExp(path.sep);
    const tail = `(?:${sep}[^\\s'"]*)?`;
    const tenants = unique([tenantsRoot(dataDir), realOrSelf(tenantsRoot(dataDir))]).sort((a, b) => b.length - a.length);
    const data = unique([path.resolve(dataDir), realOrSelf(dataDir)]).sort((a, b) => b.length - a.length);
    this.rules = [
      ...tenants.map((root) => ({
        pattern: new RegExp(`${escapeRegExp(root)}${sep}([0-9a-f]{8})(${sep}[^\\s'"]*)?(?![^\\s'"])`, 'g'),
        replace: (_whole: string, _id?: string, rest?: string) => (rest ? rest.slice(1) : '(tenant folder)'),
      })),
      // Only whole path segments: `/srv/data` must not eat the start of `/srv/database`.
      ...[...tenants, ...data].map((root) => ({ pattern: new RegExp(`${escapeRegExp(root)}(?![^\\s'"${sep}])${tail}`, 'g'), replace: () => '(data folder)' })),
    ];
  }

  /** The root a caller sees for a stored `root_path` of the tenant `paths` belongs to. */
  publicRoot(rootPath: string, paths: TenantPaths): PublicRoot {
    for (const uploads of unique([paths.uploads, realOrSelf(paths.uploads)])) {
      if (rootPath !== uploads && isInsideFolder(rootPath, uploads)) {
        return { root: path.posix.join(TENANT_FILES.uploads, ...path.relative(uploads, rootPath).split(path.sep)), source: 'upload' };
      }
    }
    // A root inside the data folder that is not this tenant's upload (an index restored from
    // elsewhere, say) is still the server's layout: hidden like in messages.
    return { root: this.redact ? this.text(rootPath) : rootPath, source: 'folder' };
  }

  /**
   * `text` with server paths rewritten: `<tenants>/<id>/x` → `x` (a path inside the
   * tenant's own folder, such as `uploads/app/src/a.ts`), anything else under the data
   * folder → `(data folder)`.
   */
  text(text: string): string {
    let out = text;
    for (const rule of this.rules) out = out.replace(rule.pattern, rule.replace);
    return out;
  }

  /** `err` as the registry error a remote caller may see: server paths rewritten when redacting. */
  error(err: unknown): unknown {
    if (!this.redact) return err;
    return redactPctxError(toPctxError(err), (s) => this.text(s));
  }
}
