import { mkdir, mkdtemp, realpath, rm, symlink, writeFile, chmod, truncate } from 'node:fs/promises';
import type * as NodeFs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { discoverFiles, type DiscoveryOptions, type DiscoveryResult } from '../../src/engine/discovery.js';
import { isSecretPath } from '../../src/engine/secret-files.js';
import { looksBinary } from '../../src/engine/binary.js';
import { isPctxError } from '../../src/errors.js';

// Folders whose listing fails with EACCES. As root (CI containers) chmod cannot make a
// folder unreadable, so the failure is injected at the fs boundary instead.
const unreadableDirs = vi.hoisted(() => new Set<string>());

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof NodeFs>();
  const readdir = ((dir: string, ...rest: unknown[]) => {
    const callback = rest[rest.length - 1] as (err: NodeJS.ErrnoException | null) => void;
    if (unreadableDirs.has(dir)) {
      const err: NodeJS.ErrnoException = new Error(`EACCES: permission denied, scandir '${dir}'`);
      err.code = 'EACCES';
      process.nextTick(callback, err);
      return;
    }
    return (actual.readdir as (...args: unknown[]) => void)(dir, ...rest);
  }) as typeof actual.readdir;
  return { ...actual, readdir };
});

const LANGUAGES: Record<string, string> = { '.ts': 'typescript', '.js': 'javascript', '.py': 'python', '.json': 'json' };

function languageOf(relPath: string): string | null {
  return LANGUAGES[path.extname(relPath)] ?? null;
}

let world: string;
let root: string;
let outside: string;

beforeEach(async () => {
  world = await realpath(await mkdtemp(path.join(os.tmpdir(), 'pctx-discovery-')));
  root = path.join(world, 'repo');
  outside = path.join(world, 'outside');
  await mkdir(root);
  await mkdir(outside);
});

afterEach(async () => {
  unreadableDirs.clear();
  vi.restoreAllMocks();
  await rm(world, { recursive: true, force: true });
});

async function put(rel: string, content: string | Uint8Array = 'export const x = 1;\n'): Promise<string> {
  const file = path.join(root, ...rel.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

async function link(rel: string, target: string): Promise<void> {
  const file = path.join(root, ...rel.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await symlink(target, file);
}

async function discover(options: Partial<DiscoveryOptions> = {}, at = root): Promise<DiscoveryResult> {
  return discoverFiles(at, { languageOf, ...options });
}

async function listed(options: Partial<DiscoveryOptions> = {}): Promise<string[]> {
  return (await discover(options)).files.map((file) => file.relPath);
}

describe('discoverFiles', () => {
  it('lists source files sorted by path, with sizes, mtimes, languages and absolute paths', async () => {
    await put('src/b.ts', 'abc');
    await put('src/a.py', 'print(1)\n');
    await put('README', 'no language');
    await put('notes.txt', 'no language either');
    const result = await discover();
    expect(result.root).toBe(root);
    expect(result.files).toEqual([
      { relPath: 'src/a.py', absPath: path.join(root, 'src', 'a.py'), size: 9, mtimeMs: expect.any(Number), language: 'python' },
      { relPath: 'src/b.ts', absPath: path.join(root, 'src', 'b.ts'), size: 3, mtimeMs: expect.any(Number), language: 'typescript' },
    ]);
    expect(result.skipped).toEqual([]);
  });

  it('sorts by code unit, not by locale, so upper case comes before lower case', async () => {
    await put('b.ts');
    await put('B.ts');
    await put('a/z.ts');
    await put('a.ts');
    expect(await listed()).toEqual(['B.ts', 'a.ts', 'a/z.ts', 'b.ts']);
  });

  it('keeps spaces and unicode in names and always separates with a forward slash', async () => {
    await put('my folder/naïve café.ts');
    await put('日本語/ファイル.py');
    await put('emoji 🎉/x.js');
    const result = await discover();
    expect(result.files.map((file) => file.relPath)).toEqual(['emoji 🎉/x.js', 'my folder/naïve café.ts', '日本語/ファイル.py']);
    for (const file of result.files) {
      expect(file.relPath).not.toContain('\\');
      expect(file.absPath).toBe(path.join(root, ...file.relPath.split('/')));
    }
  });

  describe('ignore rules', () => {
    it('honours a root .gitignore with negation, folder-only and anchored patterns', async () => {
      await put('.gitignore', '# generated code\n*.gen.ts\n!keep.gen.ts\ncache/\n/top-only.ts\n');
      await put('a.gen.ts');
      await put('deep/b.gen.ts');
      await put('keep.gen.ts');
      await put('cache/x.ts');
      await put('src/cache.ts');
      await put('top-only.ts');
      await put('src/top-only.ts');
      expect(await listed()).toEqual(['keep.gen.ts', 'src/cache.ts', 'src/top-only.ts']);
    });

    it('applies a nested .gitignore relative to its own folder', async () => {
      await put('pkg/.gitignore', '!keep.gen.ts\n/only-here.ts\ntmp/\n*.local.ts   \n');
      await put('.gitignore', '*.gen.ts\n');
      await put('a.gen.ts');
      await put('pkg/keep.gen.ts');
      await put('pkg/other.gen.ts');
      await put('pkg/only-here.ts');
      await put('pkg/deep/only-here.ts');
      await put('only-here.ts');
      await put('pkg/tmp/x.ts');
      await put('tmp/x.ts');
      await put('pkg/deep/conf.local.ts');
      await put('conf.local.ts');
      expect(await listed()).toEqual([
        'conf.local.ts',
        'only-here.ts',
        'pkg/deep/only-here.ts',
        'pkg/keep.gen.ts',
        'tmp/x.ts',
      ]);
    });

    it('re-includes a folder ignored by an outer .gitignore when a nested .gitignore negates it', async () => {
      await put('.gitignore', 'foo/\n');
      await put('a/.gitignore', '!foo/\n');
      await put('a/foo/x.ts');
      await put('b/foo/x.ts');
      await put('foo/x.ts');
      expect(await listed()).toEqual(['a/foo/x.ts']);
    });

    it('cannot re-include a file whose folder is ignored, as in git', async () => {
      await put('.gitignore', 'logs/\n!logs/keep.ts\n');
      await put('logs/keep.ts');
      await put('main.ts');
      expect(await listed()).toEqual(['main.ts']);
    });

    it('matches folder names with glob characters in a nested .gitignore literally', async () => {
      await put('[weird]*/.gitignore', 'x.ts\n');
      await put('[weird]*/x.ts');
      await put('[weird]*/y.ts');
      await put('wx/x.ts');
      expect(await listed()).toEqual(['[weird]*/y.ts', 'wx/x.ts']);
    });

    it('honours .git/info/exclude and never lists anything under .git', async () => {
      await put('.git/info/exclude', 'private.ts\n');
      await put('.git/hooks/pre-commit.js');
      await put('.hg/store.py');
      await put('.svn/entries.py');
      await put('private.ts');
      await put('public.ts');
      expect(await listed()).toEqual(['public.ts']);
    });

    it('lets a .gitignore negation override .git/info/exclude', async () => {
      await put('.git/info/exclude', '*.ts\n');
      await put('.gitignore', '!wanted.ts\n');
      await put('wanted.ts');
      await put('unwanted.ts');
      expect(await listed()).toEqual(['wanted.ts']);
    });

    it('skips the default-excluded folders and files', async () => {
      const excluded = [
        'node_modules/lib/index.js',
        'bower_components/x.js',
        'dist/app.js',
        'build/app.js',
        'out/app.js',
        'target/app.js',
        'vendor/lib.py',
        'venv/lib.py',
        '.venv/lib.py',
        '__pycache__/m.py',
        '.mypy_cache/m.py',
        '.pytest_cache/m.py',
        '.tox/m.py',
        '.next/page.js',
        '.nuxt/page.js',
        '.gradle/x.js',
        '.idea/x.js',
        'coverage/report.js',
        'Pods/x.js',
        'src/nested/node_modules/dep/index.js',
        'web/app.min.js',
        'web/app.min.css',
        'web/app.js.map',
        'package-lock.json',
        'composer.lock',
        '.DS_Store',
      ];
      for (const rel of excluded) await put(rel);
      await put('env/pyvenv.cfg', 'home = /usr/bin\n');
      await put('env/lib/site.py');
      await put('py311/pyvenv.cfg', 'home = /usr/bin\n');
      await put('py311/lib/site.py');
      await put('src/env/config.ts');
      await put('src/build.ts');
      await put('src/app.js');
      await put('package.json', '{}');
      expect(await listed()).toEqual(['package.json', 'src/app.js', 'src/build.ts', 'src/env/config.ts']);
    });

    it('lets a .gitignore negation re-include a default-excluded folder', async () => {
      await put('.gitignore', '!vendor/\n');
      await put('vendor/lib.py');
      await put('node_modules/x.js');
      expect(await listed()).toEqual(['vendor/lib.py']);
    });

    it('gives options.exclude the last word over .gitignore negations', async () => {
      await put('.gitignore', '!vendor/\n');
      await put('vendor/lib.py');
      await put('src/a.ts');
      await put('src/a.test.ts');
      await put('fixtures/big.json', '{}');
      expect(await listed({ exclude: ['vendor/', '*.test.ts', '/fixtures'] })).toEqual(['src/a.ts']);
    });

    it('never descends into an ignored folder', async () => {
      await put('.gitignore', 'generated/\n');
      // Were these folders entered, the escaping links inside would be reported.
      await link('generated/evil', outside);
      await link('node_modules/evil', outside);
      await put('main.ts');
      const result = await discover();
      expect(result.files.map((file) => file.relPath)).toEqual(['main.ts']);
      expect(result.skipped).toEqual([
        { relPath: 'generated/', reason: 'gitignored' },
        { relPath: 'node_modules/', reason: 'dependencies' },
      ]);
    });
  });

  describe('secrets', () => {
    it('reports secret files whatever their language and never lists them', async () => {
      const secrets = [
        '.env',
        '.env.production',
        '.env.example',
        'deploy/.env.local.ts',
        'id_rsa',
        'id_ed25519.pub',
        'certs/server.pem',
        'certs/tls.key',
        'store.p12',
        'config/credentials-prod.json',
        'gcp/service-account.json',
        'secrets.yaml',
        '.npmrc',
        'vault.kdbx',
      ];
      for (const rel of secrets) await put(rel, 'SECRET=hunter2\n');
      await put('src/env.ts');
      const result = await discover();
      expect(result.files.map((file) => file.relPath)).toEqual(['src/env.ts']);
      expect(result.skipped).toEqual([...secrets].sort().map((relPath) => ({ relPath, reason: 'secret' })));
    });

    it('does not report a secret that .gitignore already ignores', async () => {
      await put('.gitignore', '.env*\n');
      await put('.env', 'TOKEN=1');
      await put('.env.production', 'TOKEN=2');
      expect((await discover()).skipped).toEqual([]);
    });

    it('reports a symlink whose target is a secret', async () => {
      await put('.env', 'TOKEN=1');
      await link('config.ts', '.env');
      const result = await discover();
      expect(result.files).toEqual([]);
      expect(result.skipped).toEqual([
        { relPath: '.env', reason: 'secret' },
        { relPath: 'config.ts', reason: 'secret' },
      ]);
    });
  });

  describe('symlinks', () => {
    it('reports links to files and folders outside the root as symlink_escape and lists nothing behind them', async () => {
      await writeFile(path.join(outside, 'stolen.ts'), 'export const key = 1;');
      await mkdir(path.join(outside, 'lib'));
      await writeFile(path.join(outside, 'lib', 'x.ts'), 'export {};');
      await link('leak.ts', path.join(outside, 'stolen.ts'));
      await link('src/lib', path.join(outside, 'lib'));
      await link('notes', path.join(outside, 'stolen.ts'));
      await link('up', '..');
      await put('src/main.ts');
      const result = await discover();
      expect(result.files.map((file) => file.relPath)).toEqual(['src/main.ts']);
      expect(result.skipped).toEqual([
        { relPath: 'leak.ts', reason: 'symlink_escape', detail: 'resolves outside the root' },
        { relPath: 'notes', reason: 'symlink_escape', detail: 'resolves outside the root' },
        { relPath: 'src/lib', reason: 'symlink_escape', detail: 'resolves outside the root' },
        { relPath: 'up', reason: 'symlink_escape', detail: 'resolves outside the root' },
      ]);
      for (const skipped of result.skipped) expect(skipped.detail).not.toContain(world);
    });

    it('follows links inside the root and survives cycles, listing each file once', async () => {
      await put('a/one.ts');
      await put('a/b/two.ts');
      await link('a/b/loop', '..');
      await link('a/self', '.');
      await link('root-link', '.');
      await link('c', 'a/b');
      expect(await listed()).toEqual(['a/b/two.ts', 'a/one.ts']);
    });

    it('walks a linked folder whose target is not otherwise walked', async () => {
      await put('node_modules/shared/index.ts');
      await link('shared', 'node_modules/shared');
      await link('shared-again', 'node_modules/shared');
      expect(await listed()).toEqual(['shared/index.ts']);
    });

    it('lists a file reached by several paths once, under the first in sorted order', async () => {
      await put('z/real.ts');
      await link('a-alias.ts', 'z/real.ts');
      await link('m-alias.ts', 'z/real.ts');
      const result = await discover();
      expect(result.files.map((file) => file.relPath)).toEqual(['a-alias.ts']);
      expect(result.files[0]!.size).toBe('export const x = 1;\n'.length);
    });

    it('skips broken symlinks and links into .git silently', async () => {
      await link('broken.ts', 'missing.ts');
      await link('dangling-dir', 'nowhere/at/all');
      await put('.git/config.ts');
      await link('git-view', '.git');
      await link('git-file.ts', '.git/config.ts');
      await put('ok.ts');
      const result = await discover();
      expect(result.files.map((file) => file.relPath)).toEqual(['ok.ts']);
      expect(result.skipped).toEqual([]);
    });
  });

  describe('limits and failures', () => {
    it('reports files over maxFileBytes as too_large only when they have a language', async () => {
      const big = await put('big.ts', '');
      await truncate(big, 2 * 1024 * 1024);
      const blob = await put('blob.bin', '');
      await truncate(blob, 2 * 1024 * 1024);
      await put('small.ts', '12345');
      await put('limit.ts', '1234');
      const result = await discover();
      expect(result.files.map((file) => file.relPath)).toEqual(['limit.ts', 'small.ts']);
      expect(result.skipped).toEqual([{ relPath: 'big.ts', reason: 'too_large', detail: '2097152 bytes, limit 1048576' }]);
      const tight = await discover({ maxFileBytes: 4 });
      expect(tight.files.map((file) => file.relPath)).toEqual(['limit.ts']);
    });

    it('reports an unreadable folder and keeps walking the rest', async () => {
      await put('locked/secret-plans.ts');
      await put('open/a.ts');
      unreadableDirs.add(path.join(root, 'locked'));
      const result = await discover();
      expect(result.files.map((file) => file.relPath)).toEqual(['open/a.ts']);
      expect(result.skipped).toEqual([{ relPath: 'locked', reason: 'unreadable', detail: 'EACCES' }]);
    });

    it('reports a file whose permission bits deny reading', async () => {
      const file = await put('private.ts');
      await put('public.ts');
      await chmod(file, 0o000);
      // Root reads everything; pose as an ordinary user that neither owns the file nor is in its group.
      vi.spyOn(process, 'getuid').mockReturnValue(4242);
      vi.spyOn(process, 'getgid').mockReturnValue(4242);
      vi.spyOn(process, 'getgroups').mockReturnValue([4242]);
      const result = await discover();
      expect(result.files.map((f) => f.relPath)).toEqual(['public.ts']);
      expect(result.skipped).toEqual([{ relPath: 'private.ts', reason: 'unreadable', detail: 'EACCES' }]);
    });

    it('rejects a missing root with ROOT_NOT_FOUND', async () => {
      const missing = path.join(world, 'nope');
      const error = await discover({}, missing).catch((err: unknown) => err);
      expect(isPctxError(error, 'ROOT_NOT_FOUND')).toBe(true);
      expect((error as { details: unknown }).details).toEqual({ path: missing });
    });

    it('rejects a root that is a file with NOT_A_DIRECTORY', async () => {
      const file = await put('file.ts');
      const error = await discover({}, file).catch((err: unknown) => err);
      expect(isPctxError(error, 'NOT_A_DIRECTORY')).toBe(true);
      expect((error as { details: unknown }).details).toEqual({ path: file });
    });

    it('accepts a root that is a symlink to a folder and reports the real path', async () => {
      await put('src/a.ts');
      const alias = path.join(world, 'alias');
      await symlink(root, alias);
      const result = await discover({}, alias);
      expect(result.root).toBe(root);
      expect(result.files.map((file) => [file.relPath, file.absPath])).toEqual([['src/a.ts', path.join(root, 'src', 'a.ts')]]);
    });

    it('rejects invalid options with INVALID_ARGUMENT naming the option', async () => {
      const cases: Array<[Partial<DiscoveryOptions>, string]> = [
        [{ languageOf: 'ts' as unknown as DiscoveryOptions['languageOf'] }, 'languageOf'],
        [{ maxFileBytes: -1 }, 'maxFileBytes'],
        [{ maxFileBytes: 1.5 }, 'maxFileBytes'],
        [{ exclude: 'dist' as unknown as string[] }, 'exclude'],
        [{ signal: {} as AbortSignal }, 'signal'],
      ];
      for (const [options, option] of cases) {
        const error = await discover(options).catch((err: unknown) => err);
        expect(isPctxError(error, 'INVALID_ARGUMENT')).toBe(true);
        expect((error as { details: { option: string } }).details.option).toBe(option);
      }
    });

    it('stops with the abort reason when the signal is aborted', async () => {
      for (let i = 0; i < 200; i++) await put(`d${i % 20}/f${i}.ts`);
      await expect(discover({ signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
      const controller = new AbortController();
      const running = discover({
        signal: controller.signal,
        languageOf: (rel) => {
          if (rel.endsWith('f10.ts')) controller.abort();
          return languageOf(rel);
        },
      });
      await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    });
  });
});

describe('isSecretPath', () => {
  it.each([
    '.env',
    '.ENV',
    'app/.env.production',
    '.env.sample',
    '.env.template',
    '.envrc',
    'keys/ID_RSA',
    'id_dsa',
    'id_ecdsa.pub',
    'C:\\Users\\me\\.ssh\\id_ed25519',
    'server.pem',
    'tls.KEY',
    'cert.pfx',
    'android.jks',
    'release.keystore',
    'home/.npmrc',
    '.pypirc',
    '.netrc',
    '.pgpass',
    'passwords.kdbx',
    'credentials.json',
    'credentials-staging.json',
    'service-account-ci.json',
    'secrets.yml',
    'secrets.json',
    'config/secrets.prod.env',
    'secrets',
  ])('treats %s as a secret', (relPath) => {
    expect(isSecretPath(relPath)).toBe(true);
  });

  it.each(['env.ts', 'src/environment.py', 'keys.ts', 'monkey.ts', 'id_rsa_parser.py', 'credentials.ts', 'my-secrets.md', 'env/config.ts', '.envoy.yaml', 'secrets.ts'])(
    'does not treat %s as a secret',
    (relPath) => {
      expect(isSecretPath(relPath)).toBe(false);
    },
  );
});

it("indexes the Python standard library's secrets module: secrets.* as code is source, not a secret", () => {
  expect(isSecretPath('lib/python3.11/secrets.py')).toBe(false);
  expect(isSecretPath('src/secrets.go')).toBe(false);
});

describe('looksBinary', () => {
  const text = (s: string) => new TextEncoder().encode(s);

  it('treats source text, including Latin-1 bytes and ANSI colours, as text', () => {
    expect(looksBinary(text('export function f() {\n\treturn 1;\r\n}\f\n'))).toBe(false);
    expect(looksBinary(text('\u001b[31mred\u001b[0m log line\n'))).toBe(false);
    expect(looksBinary(Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x0a]))).toBe(false);
    expect(looksBinary(new Uint8Array())).toBe(false);
  });

  it('treats a NUL byte in the first 8 KiB as binary but not one after it', () => {
    const early = text('a'.repeat(100));
    early[50] = 0;
    expect(looksBinary(early)).toBe(true);
    const late = text('a'.repeat(9000));
    late[8500] = 0;
    expect(looksBinary(late)).toBe(false);
  });

  it('treats content full of control characters as binary', () => {
    const bytes = text('a'.repeat(80));
    for (let i = 0; i < 80; i += 8) bytes[i] = 0x01;
    expect(looksBinary(bytes)).toBe(true);
  });

  it('skips a UTF-8 byte-order mark', () => {
    expect(looksBinary(Uint8Array.from([0xef, 0xbb, 0xbf, ...text('const x = 1;\n')]))).toBe(false);
  });

  it('reads UTF-16 with a byte-order mark as text despite its NUL bytes', () => {
    const le = Buffer.from('\ufeffconst x = 1;\n', 'utf16le');
    expect(le[1]).toBe(0xfe);
    expect(looksBinary(le)).toBe(false);
    const be = Buffer.from(le);
    be.swap16();
    expect(looksBinary(be)).toBe(false);
    expect(looksBinary(Buffer.from('\ufeffa\u0000b', 'utf16le'))).toBe(true);
  });

  it('treats a PNG header as binary', () => {
    expect(looksBinary(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]))).toBe(true);
  });
});
