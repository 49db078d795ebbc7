import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';
import { GRAMMAR_FILES, languageForPath } from '../../src/parse/languages.js';
import type { LanguageId } from '../../src/parse/types.js';

const require = createRequire(import.meta.url);

const COMMENT_TYPES = ['comment', 'line_comment', 'block_comment'];

/**
 * Source ranges (UTF-16 indices) of the comments of a tree, and for Python the docstrings:
 * a string that is the first statement of a module, class or function body.
 */
function docRanges(language: LanguageId, root: Node): { start: number; end: number; docstring: boolean }[] {
  const out: { start: number; end: number; docstring: boolean }[] = [];
  for (const node of root.descendantsOfType(COMMENT_TYPES)) {
    if (node) out.push({ start: node.startIndex, end: node.endIndex, docstring: false });
  }
  if (language === 'python') {
    for (const node of root.descendantsOfType('expression_statement')) {
      if (!node || node.firstNamedChild?.type !== 'string') continue;
      const parent = node.parent;
      if (!parent || (parent.type !== 'block' && parent.type !== 'module')) continue;
      if (parent.firstNamedChild?.id !== node.id) continue;
      out.push({ start: node.startIndex, end: node.endIndex, docstring: true });
    }
  }
  return out;
}

/**
 * The file with its comments blanked (spaces, newlines kept, so every line and offset stays
 * where it was) and each Python docstring replaced by `0` (a body must keep a statement).
 */
function blank(source: string, ranges: { start: number; end: number; docstring: boolean }[]): string {
  const chars = source.split('');
  for (const r of ranges) {
    for (let i = r.start; i < r.end; i++) if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = ' ';
    if (r.docstring) chars[r.start] = '0';
  }
  return chars.join('');
}

/**
 * Copies every source file under `from` to `to` with its doc comments and docstrings
 * removed: the "docstrings removed" corpus of bench:quality. Comments go by the grammar
 * (tree-sitter), not by regular expressions, so strings that look like comments stay.
 */
export async function writeStrippedCopy(from: string, to: string): Promise<{ files: number }> {
  await Parser.init();
  const parser = new Parser();
  const grammars = new Map<LanguageId, Language>();
  let files = 0;
  for (const entry of fs.readdirSync(from, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const abs = path.join(entry.parentPath, entry.name);
    const rel = path.relative(from, abs);
    const language = languageForPath(rel);
    if (!language) continue;
    let grammar = grammars.get(language);
    if (!grammar) {
      grammar = await Language.load(require.resolve(`tree-sitter-wasms/out/${GRAMMAR_FILES[language]}`));
      grammars.set(language, grammar);
    }
    parser.setLanguage(grammar);
    const source = fs.readFileSync(abs, 'utf8');
    const tree = parser.parse(source);
    const out = tree ? blank(source, docRanges(language, tree.rootNode)) : source;
    tree?.delete();
    fs.mkdirSync(path.dirname(path.join(to, rel)), { recursive: true });
    fs.writeFileSync(path.join(to, rel), out);
    files++;
  }
  parser.delete();
  return { files };
}
