import type { Handler } from './language-spec.js';
import { stripLeadingAnnotations } from './text.js';
import type { SymbolKind } from '../types.js';

/**
 * A type declaration with a `name` field and a `body` of members (Java, C#, PHP
 * classes, interfaces, enums…): the signature runs up to the body with leading
 * annotations/attributes stripped, and the members are walked in the type's scope.
 */
export function typeDecl(kind: SymbolKind): Handler {
  return (node, ex, scope) => {
    const name = node.childForFieldName('name');
    if (name === null) return;
    const body = node.childForFieldName('body');
    const index = ex.emit(node, ex.text(name), kind, scope, { sigEnd: body, sigMap: stripLeadingAnnotations });
    if (body !== null) ex.walk(body, ex.scopeOf(index, 'type'));
  };
}
