import { filesInDir } from './repo-paths.js';

/** An import inside the repo's own module names a package folder: all its non-test files. */
export function resolveGo(files: ReadonlySet<string>, goModule: string | null, specifier: string): string[] {
  if (goModule === null || goModule === '') return [];
  let dir: string;
  if (specifier === goModule) dir = '';
  else if (specifier.startsWith(`${goModule}/`)) dir = specifier.slice(goModule.length + 1);
  else return [];
  if (dir.split('/').some((p) => p === '..' || p === '.')) return [];
  return filesInDir(files, dir).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
}
