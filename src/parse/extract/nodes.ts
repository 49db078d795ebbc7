import type { Node } from 'web-tree-sitter';

/** Syntax-tree lookups that the grammars' field names do not cover. */

/** First named child whose type is in `types`. */
export function childOfType(node: Node, types: ReadonlySet<string> | string): Node | null {
  for (const child of node.namedChildren) {
    if (child === null) continue;
    if (typeof types === 'string' ? child.type === types : types.has(child.type)) return child;
  }
  return null;
}

/** True when `node` has an anonymous (keyword or punctuation) child spelled `token`. */
export function hasToken(node: Node, token: string): boolean {
  for (const child of node.children) {
    if (child !== null && !child.isNamed && child.type === token) return true;
  }
  return false;
}
