import { dirname, firstExisting, joinPath } from './repo-paths.js';

/** `#include "x.h"`: next to the including file, then from the repo root, then `include/`. */
export function resolveInclude(files: ReadonlySet<string>, fromPath: string, specifier: string): string[] {
  return firstExisting(files, [
    joinPath(dirname(fromPath), specifier),
    joinPath('', specifier),
    joinPath('include', specifier),
  ]);
}

function withExtension(path: string | null, extension: string): string | null {
  if (path === null) return null;
  return path.endsWith(extension) ? path : `${path}${extension}`;
}

/**
 * `require_relative 'x'` (kind include) is relative to the requiring file; `require 'x'` is
 * looked up in the repo's `lib/` and root, as the load path of a gem or app would.
 */
export function resolveRuby(files: ReadonlySet<string>, fromPath: string, specifier: string, relative: boolean): string[] {
  if (relative) return firstExisting(files, [withExtension(joinPath(dirname(fromPath), specifier), '.rb')]);
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    return firstExisting(files, [withExtension(joinPath(dirname(fromPath), specifier), '.rb')]);
  }
  return firstExisting(files, [withExtension(joinPath('lib', specifier), '.rb'), withExtension(joinPath('', specifier), '.rb')]);
}

/**
 * PHP `require`/`include`: `__DIR__/x` (how the extractor writes `__DIR__ . '/x'`) and
 * plain relative paths from the requiring file's folder, then from the repo root.
 */
export function resolvePhpInclude(files: ReadonlySet<string>, fromPath: string, specifier: string): string[] {
  if (specifier.startsWith('__DIR__')) return firstExisting(files, [joinPath(dirname(fromPath), specifier.slice('__DIR__'.length))]);
  if (specifier.startsWith('/')) return [];
  return firstExisting(files, [joinPath(dirname(fromPath), specifier), joinPath('', specifier)]);
}

/**
 * PHP `use App\Models\User` by the PSR-4 habits: the path as is, with the first segment
 * lower-cased (`app/Models/User.php`), or under `src/` without the vendor segment.
 */
export function resolvePhpUse(files: ReadonlySet<string>, specifier: string): string[] {
  const parts = specifier.replace(/^\\/, '').split('\\').filter((p) => p !== '');
  if (parts.length < 2) return [];
  const rest = parts.slice(1).join('/');
  return firstExisting(files, [
    `${parts.join('/')}.php`,
    `${parts[0]!.toLowerCase()}/${rest}.php`,
    `src/${rest}.php`,
  ]);
}
