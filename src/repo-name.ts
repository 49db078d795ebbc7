/**
 * The format of a repository name given by a caller (index_folder's `name`, an upload's
 * `:name`): lowercase letters, digits, ".", "_" and "-", starting with a letter or digit,
 * at most 64 characters. An upload's name becomes a folder name, so "." and ".." and
 * anything with a separator must never match.
 */
export const REPO_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const REPO_NAME_RULE = 'lowercase letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters';

export function isRepoName(value: unknown): value is string {
  return typeof value === 'string' && REPO_NAME_PATTERN.test(value);
}
