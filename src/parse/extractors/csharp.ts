import type { Node } from 'web-tree-sitter';
import type { Handler, LanguageSpec } from '../extract/language-spec.js';
import { typeDecl } from '../extract/type-decl.js';
import { stripLeadingAnnotations } from '../extract/text.js';
import type { SymbolKind } from '../types.js';

const sigMap = stripLeadingAnnotations;

/** `namespace A.B { }` or the file-scoped `namespace A.B;` whose members are its children. */
const namespaceDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  const body = node.childForFieldName('body');
  const index = ex.emit(node, ex.text(name).replace(/\s+/g, ''), 'namespace', scope, {
    sigEnd: body ?? name.endIndex,
  });
  ex.walk(body ?? node, ex.scopeOf(index, 'namespace'));
};

function callable(kind: SymbolKind, prefix = ''): Handler {
  return (node, ex, scope) => {
    const name = node.childForFieldName('name');
    if (name === null) return;
    const body = node.childForFieldName('body');
    const index = ex.emit(node, prefix + ex.text(name), kind, scope, { sigEnd: body, sigMap });
    // Local functions declared in the body.
    if (body?.type === 'block') ex.walkBody(body, index);
  };
}

const propertyDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  const accessors = node.childForFieldName('accessors') ?? node.childForFieldName('value');
  ex.emit(node, ex.text(name), 'property', scope, { sigEnd: accessors, sigMap });
};

function isModifier(node: Node | null, word: string): boolean {
  return node?.type === 'modifier' && node.text === word;
}

/** `public const int A = 1, B = 2;`: one symbol per declarator, `const` ones are constants. */
const fieldDecl: Handler = (node, ex, scope) => {
  const constant = node.namedChildren.some((c) => isModifier(c, 'const'));
  const declaration = node.namedChildren.find((c) => c?.type === 'variable_declaration');
  if (!declaration) return;
  for (const declarator of declaration.namedChildren) {
    if (declarator?.type !== 'variable_declarator') continue;
    const name = declarator.childForFieldName('name') ?? declarator.firstNamedChild;
    if (name?.type === 'identifier') ex.emitValue(node, ex.text(name), constant ? 'constant' : 'field', scope, { sigMap });
  }
};

const enumMember: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name') ?? node.firstNamedChild;
  if (name !== null) ex.emit(node, ex.text(name), 'enum_member', scope, { sigMap });
};

/** `using A.B;`, `using static A.B;`, `using X = A.B;`: the namespace or type used. */
const usingDirective: Handler = (node, ex) => {
  const target = node.namedChildren.filter((c) => c !== null && c.type !== 'name_equals').pop();
  if (!target) return;
  ex.addImport(ex.text(target).replace(/\s+/g, ''), 'use', node);
};

const XML_DOC_TAG = /<\/?(?:summary|remarks|returns|value|para|example|c|code)\s*>/g;
const XML_REFERENCE = /<(?:see|seealso|paramref|typeparamref)\s+(?:cref|name|langword)="([^"]*)"\s*\/>/g;

/** `/// <summary>Adds.</summary>` reads as `Adds.`; references keep their target's name. */
function cleanXmlDoc(doc: string): string | null {
  const clean = doc.replace(XML_REFERENCE, '$1').replace(XML_DOC_TAG, '').trim();
  return clean === '' ? null : clean;
}

export const csharpSpec: LanguageSpec = {
  handlers: {
    namespace_declaration: namespaceDecl,
    file_scoped_namespace_declaration: namespaceDecl,
    class_declaration: typeDecl('class'),
    interface_declaration: typeDecl('interface'),
    struct_declaration: typeDecl('struct'),
    record_declaration: typeDecl('class'),
    record_struct_declaration: typeDecl('struct'),
    enum_declaration: typeDecl('enum'),
    delegate_declaration: callable('type'),
    method_declaration: callable('method'),
    constructor_declaration: callable('constructor'),
    destructor_declaration: callable('method', '~'),
    local_function_statement: callable('function'),
    property_declaration: propertyDecl,
    event_declaration: propertyDecl,
    field_declaration: fieldDecl,
    event_field_declaration: fieldDecl,
    enum_member_declaration: enumMember,
    using_directive: usingDirective,
  },
  passthrough: new Set(['ERROR']),
  bodyPassthrough: new Set([
    'block',
    'if_statement',
    'for_statement',
    'foreach_statement',
    'while_statement',
    'do_statement',
    'try_statement',
    'catch_clause',
    'finally_clause',
    'switch_statement',
    'switch_body',
    'switch_section',
    'using_statement',
    'lock_statement',
    'checked_statement',
    'unsafe_statement',
    'fixed_statement',
    'labeled_statement',
  ]),
  comments: new Set(['comment']),
  cleanDoc: cleanXmlDoc,
};
