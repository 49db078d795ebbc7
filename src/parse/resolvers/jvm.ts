import { filesNamed } from './repo-paths.js';

/**
 * `com.example.model.User` → every `.../com/example/model/User.java` (or `.kt`) in the repo,
 * whatever its source root (`src/main/java/`, `app/src/`...). A static import names a member:
 * its class is tried when the full path matches nothing. Wildcards give [].
 */
export function resolveJvm(files: ReadonlySet<string>, specifier: string, extensions: readonly string[]): string[] {
  if (specifier.endsWith('*')) return [];
  const parts = specifier.split('.').filter((p) => p !== '');
  for (let end = parts.length; end >= Math.max(1, parts.length - 1); end--) {
    const rel = parts.slice(0, end).join('/');
    const out: string[] = [];
    for (const extension of extensions) {
      const name = `${parts[end - 1]}${extension}`;
      for (const file of filesNamed(files, name)) {
        if (file === `${rel}${extension}` || file.endsWith(`/${rel}${extension}`)) out.push(file);
      }
    }
    if (out.length > 0) return out;
  }
  return [];
}
