import type { LanguageSpec } from '../extract/language-spec.js';
import type { LanguageId } from '../types.js';
import { cFamilySpec } from './c-family.js';
import { csharpSpec } from './csharp.js';
import { goSpec } from './go.js';
import { javaSpec } from './java.js';
import { javascriptSpec } from './javascript.js';
import { kotlinSpec } from './kotlin.js';
import { phpSpec } from './php.js';
import { pythonSpec } from './python.js';
import { rubySpec } from './ruby.js';
import { rustSpec } from './rust.js';
import { swiftSpec } from './swift.js';

/** The extraction table of every language. */
export const LANGUAGE_SPECS: Readonly<Record<LanguageId, LanguageSpec>> = {
  typescript: javascriptSpec,
  tsx: javascriptSpec,
  javascript: javascriptSpec,
  python: pythonSpec,
  go: goSpec,
  rust: rustSpec,
  java: javaSpec,
  c: cFamilySpec,
  cpp: cFamilySpec,
  csharp: csharpSpec,
  ruby: rubySpec,
  php: phpSpec,
  kotlin: kotlinSpec,
  swift: swiftSpec,
};
