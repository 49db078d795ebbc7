import { describe, expect, it } from 'vitest';
import { resolveImport, type ImportToResolve } from '../../src/parse/resolve-import.js';
import type { ImportKind, LanguageId } from '../../src/parse/types.js';

function repo(files: string[], goModule: string | null = null) {
  return { files: new Set(files), goModule };
}

function imp(language: LanguageId, fromPath: string, specifier: string, kind: ImportKind = 'import', names?: string[]): ImportToResolve {
  return { language, fromPath, specifier, kind, names };
}

describe('resolveImport for TypeScript and JavaScript', () => {
  const files = repo([
    'src/app.ts',
    'src/util.ts',
    'src/models.ts',
    'src/view.tsx',
    'src/types.d.ts',
    'src/legacy.js',
    'src/esm.mts',
    'src/lib/index.ts',
    'src/styles.css',
    'web/main.js',
    'web/helpers/index.js',
    'web/both.js',
    'web/both.ts',
  ]);

  it.each([
    ['src/app.ts', './util', ['src/util.ts']],
    ['src/app.ts', './models.js', ['src/models.ts']],
    ['src/app.ts', './view.js', ['src/view.tsx']],
    ['src/app.ts', './view', ['src/view.tsx']],
    ['src/app.ts', './types', ['src/types.d.ts']],
    ['src/app.ts', './legacy', ['src/legacy.js']],
    ['src/app.ts', './legacy.js', ['src/legacy.js']],
    ['src/app.ts', './esm.mjs', ['src/esm.mts']],
    ['src/app.ts', './lib', ['src/lib/index.ts']],
    ['src/app.ts', './lib/index.js', ['src/lib/index.ts']],
    ['src/app.ts', './styles.css', ['src/styles.css']],
    ['src/lib/index.ts', '../util', ['src/util.ts']],
    ['web/main.js', './helpers', ['web/helpers/index.js']],
    ['web/main.js', '../src/util', ['src/util.ts']],
    ['web/main.ts', './both.js', ['web/both.ts']],
  ])('resolves %s importing %s', (from, specifier, expected) => {
    expect(resolveImport(imp('typescript', from, specifier), files)).toEqual(expected);
  });

  it('takes a `.js` specifier literally in JavaScript but as its TypeScript source in TypeScript', () => {
    expect(resolveImport(imp('javascript', 'web/main.js', './both.js'), files)).toEqual(['web/both.js']);
    expect(resolveImport(imp('javascript', 'web/main.js', './both'), files)).toEqual(['web/both.js']);
    expect(resolveImport(imp('tsx', 'web/main.tsx', './both.js'), files)).toEqual(['web/both.ts']);
  });

  it.each(['react', 'node:fs', '@scope/pkg/sub', './missing', '../../../outside', '/abs/path'])(
    'gives [] for the external or missing specifier %s',
    (specifier) => {
      expect(resolveImport(imp('javascript', 'src/app.ts', specifier, 'require'), files)).toEqual([]);
    },
  );
});

describe('resolveImport for Python', () => {
  const files = repo([
    'pkg/__init__.py',
    'pkg/client.py',
    'pkg/utils.py',
    'pkg/models/__init__.py',
    'pkg/sub/__init__.py',
    'pkg/sub/deep.py',
    'src/app/__init__.py',
    'src/app/core.py',
    'tools/run.py',
    'tools/helper.py',
  ]);

  it.each([
    ['pkg/client.py', '.', ['utils'], ['pkg/utils.py', 'pkg/__init__.py']],
    ['pkg/client.py', '.utils', [], ['pkg/utils.py']],
    ['pkg/client.py', '.models', ['User'], ['pkg/models/__init__.py']],
    ['pkg/sub/deep.py', '..utils', [], ['pkg/utils.py']],
    ['pkg/sub/deep.py', '..', ['client'], ['pkg/client.py', 'pkg/__init__.py']],
    ['tools/run.py', 'pkg', ['utils', 'client'], ['pkg/utils.py', 'pkg/client.py', 'pkg/__init__.py']],
    ['pkg/sub/deep.py', '.', ['x'], ['pkg/sub/__init__.py']],
    ['tools/run.py', 'pkg.sub.deep', [], ['pkg/sub/deep.py']],
    ['tools/run.py', 'pkg', [], ['pkg/__init__.py']],
    ['tools/run.py', 'app.core', [], ['src/app/core.py']],
    ['tools/run.py', 'helper', [], ['tools/helper.py']],
  ])('resolves %s importing %s with names %j', (from, specifier, names, expected) => {
    expect(resolveImport(imp('python', from, specifier, 'import', names), files)).toEqual(expected);
  });

  it.each([
    ['pkg/client.py', 'os.path'],
    ['pkg/client.py', '...too.far'],
    ['pkg/client.py', '.missing'],
  ])('gives [] for %s importing %s', (from, specifier) => {
    expect(resolveImport(imp('python', from, specifier), files)).toEqual([]);
  });
});

describe('resolveImport for Go', () => {
  const files = repo(
    ['go.mod', 'main.go', 'internal/store/store.go', 'internal/store/cache.go', 'internal/store/store_test.go', 'internal/store/sub/x.go', 'internal/store/README.md'],
    'example.com/app',
  );

  it('resolves a package of the module to its non-test Go files', () => {
    expect(resolveImport(imp('go', 'main.go', 'example.com/app/internal/store'), files)).toEqual([
      'internal/store/cache.go',
      'internal/store/store.go',
    ]);
  });

  it('resolves the module path itself to the root package', () => {
    expect(resolveImport(imp('go', 'internal/store/store.go', 'example.com/app'), files)).toEqual(['main.go']);
  });

  it.each(['fmt', 'github.com/x/y', 'example.com/application/x', 'example.com/app/../etc'])('gives [] for %s', (specifier) => {
    expect(resolveImport(imp('go', 'main.go', specifier), files)).toEqual([]);
  });

  it('gives [] for every import when the repo has no go.mod', () => {
    expect(resolveImport(imp('go', 'main.go', 'example.com/app/internal/store'), repo([...files.files]))).toEqual([]);
  });
});

describe('resolveImport for Rust', () => {
  const files = repo([
    'Cargo.toml',
    'src/lib.rs',
    'src/config.rs',
    'src/net/mod.rs',
    'src/net/http.rs',
    'src/net/http/client.rs',
    'src/store.rs',
    'src/store/disk.rs',
    'src/bin/tool.rs',
  ]);

  it.each([
    ['src/lib.rs', 'config', 'mod', ['src/config.rs']],
    ['src/lib.rs', 'net', 'mod', ['src/net/mod.rs']],
    ['src/net/mod.rs', 'http', 'mod', ['src/net/http.rs']],
    ['src/store.rs', 'disk', 'mod', ['src/store/disk.rs']],
    ['src/net/http.rs', 'client', 'mod', ['src/net/http/client.rs']],
    ['src/lib.rs', 'missing', 'mod', []],
  ] as const)('resolves `mod` in %s declaring %s', (from, name, kind, expected) => {
    expect(resolveImport(imp('rust', from, name, kind), files)).toEqual(expected);
  });

  it.each([
    ['src/store/disk.rs', 'crate::config::Settings', ['src/config.rs']],
    ['src/store/disk.rs', 'crate::net::http::client::Client', ['src/net/http/client.rs']],
    ['src/store/disk.rs', 'crate::net::http::Request', ['src/net/http.rs']],
    ['src/store/disk.rs', 'crate::net::Error', ['src/net/mod.rs']],
    ['src/store/disk.rs', 'crate::VERSION', ['src/lib.rs']],
    ['src/store/disk.rs', 'super::Store', ['src/store.rs']],
    ['src/net/http.rs', 'super::Error', ['src/net/mod.rs']],
    ['src/net/http.rs', 'super::super::config', ['src/config.rs']],
    ['src/net/http.rs', 'self::client::Client', ['src/net/http/client.rs']],
    ['src/lib.rs', 'config::Settings', ['src/config.rs']],
    ['src/lib.rs', 'std::collections::HashMap', []],
    ['src/lib.rs', 'super::x', []],
    ['src/lib.rs', 'serde::Serialize', []],
  ])('resolves `use` in %s of %s', (from, specifier, expected) => {
    expect(resolveImport(imp('rust', from, specifier, 'use'), files)).toEqual(expected);
  });
});

describe('resolveImport for C and C++', () => {
  const files = repo(['src/list.c', 'src/list.h', 'include/vec.h', 'common/types.h', 'src/math/vec.hpp']);

  it.each([
    ['src/list.c', 'list.h', ['src/list.h']],
    ['src/list.c', 'common/types.h', ['common/types.h']],
    ['src/list.c', 'math/vec.hpp', ['src/math/vec.hpp']],
    ['src/list.c', 'vec.h', ['include/vec.h']],
    ['src/math/vec.hpp', '../list.h', ['src/list.h']],
    ['src/list.c', 'stdio.h', []],
    ['src/list.c', '../../etc/passwd', []],
  ])('resolves %s including %s', (from, specifier, expected) => {
    expect(resolveImport(imp('c', from, specifier, 'include'), files)).toEqual(expected);
  });
});

describe('resolveImport for Ruby and PHP', () => {
  const rb = repo(['app/account.rb', 'app/lib/ledger.rb', 'shared/money.rb', 'lib/banking.rb']);

  it.each([
    ['app/account.rb', 'lib/ledger', 'include', ['app/lib/ledger.rb']],
    ['app/account.rb', '../shared/money', 'include', ['shared/money.rb']],
    ['app/account.rb', '../shared/money.rb', 'include', ['shared/money.rb']],
    ['app/account.rb', 'banking', 'require', ['lib/banking.rb']],
    ['app/account.rb', 'json', 'require', []],
  ] as const)('resolves Ruby %s requiring %s (%s)', (from, specifier, kind, expected) => {
    expect(resolveImport(imp('ruby', from, specifier, kind), rb)).toEqual(expected);
  });

  const php = repo(['public/index.php', 'bootstrap.php', 'public/partials/header.php', 'app/Models/User.php', 'src/Support/Str.php']);

  it.each([
    ['public/index.php', '__DIR__/../bootstrap.php', 'require', ['bootstrap.php']],
    ['public/index.php', 'partials/header.php', 'include', ['public/partials/header.php']],
    ['public/index.php', 'bootstrap.php', 'require', ['bootstrap.php']],
    ['public/index.php', 'App\\Models\\User', 'use', ['app/Models/User.php']],
    ['public/index.php', 'Acme\\Support\\Str', 'use', ['src/Support/Str.php']],
    ['public/index.php', 'Illuminate\\Support\\Arr', 'use', []],
    ['public/index.php', '__DIR__/../../outside.php', 'require', []],
  ] as const)('resolves PHP %s loading %s (%s)', (from, specifier, kind, expected) => {
    expect(resolveImport(imp('php', from, specifier, kind), php)).toEqual(expected);
  });
});

describe('resolveImport for Java and Kotlin', () => {
  const files = repo([
    'app/src/main/java/com/example/users/UserService.java',
    'app/src/main/java/com/example/users/model/User.java',
    'lib/src/main/kotlin/com/example/data/Repository.kt',
  ]);

  it.each([
    ['java', 'com.example.users.model.User', ['app/src/main/java/com/example/users/model/User.java']],
    ['kotlin', 'com.example.data.Repository', ['lib/src/main/kotlin/com/example/data/Repository.kt']],
    ['java', 'com.example.users.model.User.fromJson', ['app/src/main/java/com/example/users/model/User.java']],
    ['java', 'java.util.List', []],
    ['java', 'com.example.users.model.*', []],
  ] as const)('resolves a %s import of %s', (language, specifier, expected) => {
    expect(resolveImport(imp(language, 'app/src/main/java/com/example/users/UserService.java', specifier), files)).toEqual(expected);
  });
});

describe('resolveImport for languages without file-level imports', () => {
  it.each([
    ['csharp', 'System.Collections.Generic', 'use'],
    ['swift', 'Foundation', 'import'],
  ] as const)('gives [] for %s', (language, specifier, kind) => {
    expect(resolveImport(imp(language, 'a', specifier, kind), repo(['a', 'Foundation.swift']))).toEqual([]);
  });
});
