/** Small string helpers shared by the extractors; all of them avoid building big strings. */

/** Signatures longer than this are cut and end with an ellipsis. */
export const SIGNATURE_MAX = 200;

/**
 * Declaration heads are rarely long; reading at most this much of the source keeps a huge
 * initializer or a body-less class from turning into a megabyte regex input.
 */
const HEAD_READ_MAX = 1000;

/**
 * `source[start, end)` with whitespace runs collapsed to one space, trailing body openers
 * (`{`, `:`, `=>`-less `=`) dropped, and cut to SIGNATURE_MAX characters.
 */
export function signatureOf(source: string, start: number, end: number): string {
  const head = source.slice(start, Math.min(end, start + HEAD_READ_MAX));
  let sig = head.replace(/\s+/g, ' ').trim();
  const last = sig.charCodeAt(sig.length - 1);
  // `{`, `:` and `;` open a body or end a statement; they are not part of the head.
  if (last === 123 || last === 58 || last === 59) sig = sig.slice(0, -1).trimEnd();
  if (sig.length > SIGNATURE_MAX) sig = sig.slice(0, SIGNATURE_MAX - 1) + '…';
  return sig;
}

/** Drops leading `@Annotation(...)` / `[Attribute]` / `#[Attribute]` groups from a head. */
export function stripLeadingAnnotations(sig: string): string {
  return sig.replace(/^(?:(?:@(?!interface\b)[\w.]+(?:\((?:[^()]|\([^()]*\))*\))?|#?\[[^\]]*\])\s*)+/, '');
}

const UPPER_CASE = /^_*[A-Z][A-Z0-9_]*$/;

/** True for `MAX_RETRIES`, `PAGE_SIZE`, `_PRIVATE_MAX`: names written as constants. */
export function isUpperCase(name: string): boolean {
  return UPPER_CASE.test(name);
}

/** Contents of a quoted string literal as written: quotes and a Python-style prefix removed. */
export function unquote(text: string): string {
  const m = /^[A-Za-z]*("""|'''|"|'|`)/.exec(text);
  if (!m) return text;
  const q = m[1]!;
  const from = m[0].length;
  const to = text.endsWith(q) && text.length >= from + q.length ? text.length - q.length : text.length;
  return text.slice(from, to);
}

/**
 * Strips comment markers from one comment's text: `/** *\/`, `/* *\/`, `///`, `//!`, `//`,
 * `#`, and a leading ` * ` on each line of a block comment.
 */
export function stripCommentMarkers(text: string): string {
  if (text.startsWith('/*')) {
    const inner = text.replace(/^\/\*+!?/, '').replace(/\*+\/$/, '');
    return inner
      .split('\n')
      .map((line) => line.replace(/^\s*\*(?!\/) ?/, '').trimEnd())
      .join('\n');
  }
  if (text.startsWith('=begin')) {
    return text.replace(/^=begin[^\n]*\n?/, '').replace(/\n?=end[^\n]*$/, '');
  }
  return text
    .split('\n')
    .map((line) => line.replace(/^\s*(?:\/\/[/!]?|#+) ?/, '').trimEnd())
    .join('\n');
}

/** Joins stripped comment texts and trims blank lines around the result; null when empty. */
export function docFromComments(texts: readonly string[]): string | null {
  const doc = texts.map(stripCommentMarkers).join('\n').replace(/\r/g, '').trim();
  return doc === '' ? null : doc;
}

/**
 * Python docstring cleaning in the spirit of `inspect.cleandoc`: quotes removed, the first
 * line stripped, the common indentation of the others removed, blank edges trimmed.
 */
export function cleanDocstring(literal: string): string | null {
  const lines = unquote(literal).replace(/\r/g, '').split('\n');
  let indent = Infinity;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const content = line.trimStart();
    if (content !== '') indent = Math.min(indent, line.length - content.length);
  }
  const out = [lines[0]!.trim()];
  for (let i = 1; i < lines.length; i++) {
    out.push(indent === Infinity ? '' : lines[i]!.slice(indent).trimEnd());
  }
  const doc = out.join('\n').trim();
  return doc === '' ? null : doc;
}
