import type { Node } from 'web-tree-sitter';
import type { Extractor } from '../extract/extractor.js';
import type { Handler, LanguageSpec, Scope } from '../extract/language-spec.js';
import { unquote } from '../extract/text.js';

const functionDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  const body = node.childForFieldName('body');
  // Local types declared in the body; closures bound with `:=` are local variables.
  ex.walkBody(body, ex.emit(node, ex.text(name), 'function', scope, { sigEnd: body }));
};

/** `Server` out of a receiver `(s *Server)` or `(l List[T])`. */
function receiverType(node: Node, ex: Extractor): string | null {
  const param = node.childForFieldName('receiver')?.firstNamedChild;
  let type = param?.childForFieldName('type') ?? null;
  while (type !== null && (type.type === 'pointer_type' || type.type === 'generic_type' || type.type === 'parenthesized_type')) {
    type = type.type === 'generic_type' ? type.childForFieldName('type') : type.firstNamedChild;
  }
  return type === null ? null : ex.text(type);
}

/** Methods belong to their receiver type by name: `Server.Start`, at top level. */
const methodDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  const receiver = receiverType(node, ex);
  const body = node.childForFieldName('body');
  ex.walkBody(body, ex.emit(node, ex.text(name), 'method', scope, { sigEnd: body, qualifier: receiver ?? undefined }));
};

/** Ends a type's signature before the `{` of a struct or interface body. */
function typeHeadEnd(spec: Node, ex: Extractor): number {
  const type = spec.childForFieldName('type');
  if (type === null || (type.type !== 'struct_type' && type.type !== 'interface_type')) return spec.endIndex;
  const brace = ex.source.indexOf('{', type.startIndex);
  return brace === -1 || brace > type.endIndex ? type.endIndex : brace;
}

/**
 * `type X struct {}` and grouped `type ( ... )` specs. A lone spec's symbol covers the whole
 * declaration, keyword included; in a group each spec stands alone.
 */
const typeDecl: Handler = (node, ex, scope) => {
  const specs = node.namedChildren.filter((c): c is Node => c?.type === 'type_spec' || c?.type === 'type_alias');
  const single = specs.length === 1;
  for (const spec of specs) {
    const name = spec.childForFieldName('name');
    if (name === null) continue;
    const type = spec.childForFieldName('type');
    const kind = type?.type === 'struct_type' ? 'struct' : type?.type === 'interface_type' ? 'interface' : 'type';
    const index = ex.emit(single ? node : spec, ex.text(name), kind, scope, {
      range: single ? undefined : spec,
      sigEnd: typeHeadEnd(spec, ex),
      sigMap: single ? undefined : (sig) => `type ${sig}`,
    });
    if (type === null) continue;
    if (kind === 'struct') {
      const fields = type.firstNamedChild;
      if (fields !== null) ex.walk(fields, ex.scopeOf(index, 'type'));
    } else if (kind === 'interface') {
      ex.walk(type, ex.scopeOf(index, 'type'));
    }
  }
};

const fieldDecl: Handler = (node, ex, scope) => {
  // Embedded fields (`store.Store`) have no name of their own.
  for (const name of node.childrenForFieldName('name')) {
    if (name !== null) ex.emit(node, ex.text(name), 'field', scope);
  }
};

const methodSpec: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name !== null) ex.emit(node, ex.text(name), 'method', scope);
};

/** `const X = 1`, `var ( a int; b = 2 )`: one symbol per name. */
function valueDecl(kind: 'constant' | 'variable', specType: string, keyword: string): Handler {
  const sigMap = (sig: string): string => `${keyword} ${sig}`;
  return (node: Node, ex: Extractor, scope: Scope) => {
    if (scope.kind === 'function') return;
    const specs = node.type === specType ? [node] : specsOf(node, specType);
    const single = specs.length === 1 && node.type !== specType;
    for (const spec of specs) {
      for (const name of spec.childrenForFieldName('name')) {
        if (name === null || ex.text(name) === '_') continue;
        ex.emitValue(single ? node : spec, ex.text(name), kind, scope, single ? {} : { range: spec, sigMap });
      }
    }
  };
}

function specsOf(node: Node, specType: string): Node[] {
  const out: Node[] = [];
  for (const child of node.namedChildren) {
    if (child === null) continue;
    if (child.type === specType) out.push(child);
    // Newer grammars wrap grouped specs in a *_spec_list.
    else if (child.type.endsWith('_spec_list')) out.push(...specsOf(child, specType));
  }
  return out;
}

const importDecl: Handler = (node, ex) => {
  for (const spec of specsOf(node, 'import_spec')) {
    const path = spec.childForFieldName('path');
    if (path !== null) ex.addImport(unquote(ex.text(path)), 'import', spec);
  }
};

export const goSpec: LanguageSpec = {
  handlers: {
    function_declaration: functionDecl,
    method_declaration: methodDecl,
    type_declaration: typeDecl,
    field_declaration: fieldDecl,
    method_spec: methodSpec,
    method_elem: methodSpec,
    const_declaration: valueDecl('constant', 'const_spec', 'const'),
    var_declaration: valueDecl('variable', 'var_spec', 'var'),
    import_declaration: importDecl,
  },
  passthrough: new Set(['ERROR']),
  bodyPassthrough: new Set([
    'block',
    'if_statement',
    'for_statement',
    'expression_switch_statement',
    'type_switch_statement',
    'select_statement',
    'expression_case',
    'default_case',
    'type_case',
    'communication_case',
    'labeled_statement',
  ]),
  bodyHint: /\btype\b/g,
  comments: new Set(['comment']),
};
