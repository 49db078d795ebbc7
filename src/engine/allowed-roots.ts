import fs from 'node:fs';
import path from 'node:path';
import { PctxError, invalidArgument } from '../errors.js';

/**
 * `hosting.allowedRoots`: the server folders a hosted `index_folder` may read. A local
 * engine (stdio, CLI) has no list (null) and reads any folder its user can.
 */

/** Whether `child` is `parent` or inside it; both absolute and normalized. */
export function isInsideFolder(child: string, parent: string): boolean {
  if (child === parent) return true;
  const prefix = parent.endsWith(path.sep) ? parent : parent + path.sep;
  return child.startsWith(prefix);
}

function realpathOrNull(p: string): string | null {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return null;
  }
}

function notAllowed(requested: string, reason: string): PctxError {
  return new PctxError('PATH_NOT_ALLOWED', { path: requested, reason });
}

const OUTSIDE = 'it is outside every folder in hosting.allowedRoots; upload the code with `purecontext-mcp push` instead';

/**
 * Checks configured roots: each must be a non-empty absolute path. Returns them
 * normalized and frozen; throws INVALID_CONFIG naming `hosting.allowedRoots`.
 */
export function normalizeAllowedRoots(roots: readonly unknown[]): readonly string[] {
  return Object.freeze(
    roots.map((root, i) => {
      if (typeof root !== 'string' || root.trim() === '' || !path.isAbsolute(root)) {
        throw new PctxError('INVALID_CONFIG', { option: `hosting.allowedRoots[${i}]`, reason: 'must be an absolute folder path' });
      }
      return path.resolve(root);
    }),
  );
}

/**
 * The real path of `requested` if it lies in one of `roots`, else PATH_NOT_ALLOWED.
 *
 * Checked twice, because each check alone can be fooled: first the path as written
 * (normalized, so `/srv/code/../../etc` is `/etc`), before the disk is touched, so a
 * caller cannot probe which paths exist outside the roots; then its real path against
 * the real path of each root, so a symbolic link inside a root that points outside it
 * is refused. The real path is returned so the caller reads exactly what was checked.
 * A root that does not exist allows nothing.
 *
 * @throws PctxError PATH_NOT_ALLOWED (403) as above; ROOT_NOT_FOUND when the path is
 *   inside a root but does not exist; INVALID_ARGUMENT for an empty or non-string path.
 */
export function resolveAllowedPath(requested: string, roots: readonly string[]): string {
  if (typeof requested !== 'string' || requested === '') throw invalidArgument('path', 'must be a non-empty string');
  if (requested.includes('\0')) throw invalidArgument('path', 'must not contain NUL');
  if (roots.length === 0) {
    throw notAllowed(requested, 'this server reads no server folders (hosting.allowedRoots is empty); upload the code with `purecontext-mcp push` instead');
  }
  const lexical = path.resolve(requested);
  const lexicalRoots = roots.map((root) => path.resolve(root));
  const realRoots = lexicalRoots.map(realpathOrNull);
  if (!lexicalRoots.some((root, i) => isInsideFolder(lexical, root) || (realRoots[i] !== null && isInsideFolder(lexical, realRoots[i]!)))) {
    throw notAllowed(requested, OUTSIDE);
  }
  let real: string;
  try {
    real = fs.realpathSync.native(lexical);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new PctxError('ROOT_NOT_FOUND', { path: requested }, { cause: err });
    // Neither a real path nor a reason to show: the link target must not leak.
    throw notAllowed(requested, `it cannot be resolved (${code ?? 'error'})`);
  }
  if (!realRoots.some((root) => root !== null && isInsideFolder(real, root))) {
    throw notAllowed(requested, 'it leads outside hosting.allowedRoots through a symbolic link');
  }
  return real;
}

export interface TenantRootPolicy {
  /** Configured roots; null means unrestricted (local use). */
  allowedRoots: readonly string[] | null;
  /** The tenant's own uploads folder: always allowed. */
  uploads: string;
  /** The folder holding every tenant: never readable through a configured root. */
  tenantsRoot: string;
}

/**
 * The folder an index run of one tenant may read for `requested`: with no policy, the
 * path as given (resolved); otherwise its real path, which must be inside the tenant's
 * own uploads folder or inside a configured root and outside the data of every tenant
 * (a root that happens to contain the data folder must not open other tenants' files).
 */
export function resolveTenantIndexRoot(requested: string, policy: TenantRootPolicy): string {
  if (policy.allowedRoots === null) return path.resolve(requested);
  const real = resolveAllowedPath(requested, [policy.uploads, ...policy.allowedRoots]);
  const uploadsReal = realpathOrNull(policy.uploads) ?? path.resolve(policy.uploads);
  if (isInsideFolder(real, uploadsReal)) return real;
  const tenantsReal = realpathOrNull(policy.tenantsRoot) ?? path.resolve(policy.tenantsRoot);
  if (isInsideFolder(real, tenantsReal) || isInsideFolder(tenantsReal, real)) {
    throw notAllowed(requested, "it holds the server's tenant data");
  }
  return real;
}
