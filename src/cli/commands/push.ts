import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import * as tar from 'tar';
import { discoverFiles } from '../../engine/discovery.js';
import { repoSlug } from '../../engine/indexer/index-writer.js';
import type { IndexResult } from '../../engine/indexer/index-run.js';
import { PctxError, invalidArgument, toPctxError } from '../../errors.js';
import { languageForPath } from '../../parse/languages.js';
import { REPO_NAME_RULE, isRepoName } from '../../repo-name.js';
import { formatBytes } from '../../util/bytes.js';
import { formatDuration, formatNumber, printJson, style } from '../output.js';

interface PushOptions {
  url?: string;
  key?: string;
  name?: string;
  exclude?: string[];
  json?: boolean;
}

/** What the server answers: the index summary of the upload (see docs/hosting.md#uploads). */
type PushSummary = IndexResult & { archive?: { files: number; bytes: number; compressedBytes: number } };

/** An error reported by the server, kept with the server's own code. */
class ServerError extends Error {
  constructor(
    readonly status: number,
    readonly body: { code: string; message: string; details?: Record<string, unknown> },
  ) {
    super(body.message);
  }
}

/**
 * Never writes a hard link: each path is sent as its own file, because the server
 * refuses links of any kind. (tar otherwise turns a second path to the same inode into a
 * link to the first.)
 */
class NoHardLinks extends Map<`${number}:${number}`, string> {
  override get(): undefined {
    return undefined;
  }
}

/**
 * The files an index run of `dir` would read — discovery with the same .gitignore rules,
 * built-in excludes and secret filter — plus the root go.mod, which the server needs to
 * resolve Go imports. Nothing else leaves the machine.
 */
async function filesToSend(dir: string, exclude: string[]): Promise<{ root: string; files: string[]; skipped: number }> {
  const found = await discoverFiles(dir, { languageOf: languageForPath, exclude });
  const files = found.files.map((f) => f.relPath);
  const goMod = path.join(found.root, 'go.mod');
  if (!files.includes('go.mod') && fs.statSync(goMod, { throwIfNoEntry: false })?.isFile()) files.push('go.mod');
  return { root: found.root, files, skipped: found.skipped.length };
}

function endpoint(base: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw invalidArgument('url', `"${base}" is not a URL (e.g. https://pctx.example.com)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidArgument('url', 'must start with http:// or https://');
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/repos/${encodeURIComponent(name)}/archive`;
  url.search = '';
  return url;
}

/** POSTs the archive file; resolves with the status and the parsed JSON body. */
async function post(url: URL, key: string, archive: string, size: number): Promise<{ status: number; json: unknown }> {
  // Loaded here, not with the module: every CLI command builds this one's definition, and
  // node:https (TLS contexts) was a third of the module loading of `index`.
  const client = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const unavailable = (reason: string, extra: Record<string, unknown> = {}) =>
    new PctxError('REMOTE_UNAVAILABLE', { url: url.origin, reason, ...extra });
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/gzip',
          'content-length': String(size),
          accept: 'application/json',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(unavailable(err.message)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
          } catch {
            reject(unavailable(`it answered HTTP ${res.statusCode} without PureContext JSON`, { status: res.statusCode }));
          }
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => reject(unavailable(err.code ?? err.message)));
    const file = fs.createReadStream(archive);
    file.on('error', (err) => req.destroy(err));
    file.pipe(req);
  });
}

function isErrorBody(json: unknown): json is { error: { code: string; message: string; details?: Record<string, unknown> } } {
  const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

function printHuman(r: PushSummary, url: string, sent: { files: number; compressedBytes: number }, ms: number): void {
  const lines = [
    `${style('green', '✔')} Pushed ${style('bold', r.repo)} to ${url} in ${formatDuration(ms)} ${style('dim', `(${formatNumber(sent.files)} files, ${formatBytes(sent.compressedBytes)} compressed)`)}`,
    `  files    ${formatNumber(r.files.total)} in index · ${formatNumber(r.files.indexed)} parsed · ${formatNumber(r.files.unchanged)} unchanged · ${formatNumber(r.files.removed)} removed · ${formatNumber(r.files.skipped)} skipped`,
    `  symbols  ${formatNumber(r.symbols)} in repo · ${formatNumber(r.symbolsIndexed)} written this run`,
    `  imports  ${formatNumber(r.imports)}`,
  ];
  if (r.skipped.length > 0) {
    lines.push(style('dim', `  skipped  ${r.skipped.slice(0, 5).map((s) => `${s.path} (${s.reason})`).join(', ')}${r.files.skipped > 5 ? ', …' : ''}`));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function note(enabled: boolean, text: string): void {
  if (enabled && process.stderr.isTTY) process.stderr.write(`${style('dim', text, process.stderr)}\n`);
}

/** Reports a failure in the command's output mode, keeping a server error's own code. */
function report(err: unknown, json: boolean): void {
  const e = err instanceof ServerError ? { code: err.body.code, message: err.body.message, details: err.body.details ?? {} } : toPctxError(err).toJSON();
  if (json) printJson({ error: e });
  else process.stderr.write(`${style('red', 'error:', process.stderr)} ${e.message} ${style('dim', `(${e.code})`, process.stderr)}\n`);
  process.exitCode = 1;
}

async function push(dir: string, options: PushOptions): Promise<void> {
  const base = options.url ?? process.env.PCTX_URL;
  const key = options.key ?? process.env.PCTX_API_KEY;
  if (!base) throw invalidArgument('url', 'give the server with --url <url> (or PCTX_URL)');
  if (!key) throw invalidArgument('key', 'give an API key with write permission with --key <key> (or PCTX_API_KEY)');
  const started = performance.now();
  const { root, files, skipped } = await filesToSend(dir, options.exclude ?? []);
  const name = options.name ?? repoSlug(path.basename(root));
  if (!isRepoName(name)) throw invalidArgument('name', `must be ${REPO_NAME_RULE}`);
  const url = endpoint(base, name);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pctx-push-'));
  try {
    const archive = path.join(work, `${name}.tar.gz`);
    note(!options.json, `Packing ${formatNumber(files.length)} files from ${root}${skipped > 0 ? ` (${formatNumber(skipped)} skipped: secrets, too large or unreadable)` : ''}…`);
    // "./" keeps a name starting with "@" from being read as "add this archive's entries".
    await tar.create(
      { gzip: true, file: archive, cwd: root, portable: true, follow: true, noDirRecurse: true, linkCache: new NoHardLinks() },
      files.map((f) => `./${f}`),
    );
    const compressedBytes = fs.statSync(archive).size;
    note(!options.json, `Uploading ${formatBytes(compressedBytes)} to ${url.origin}…`);
    const { status, json } = await post(url, key, archive, compressedBytes);
    if (status < 200 || status >= 300) {
      if (isErrorBody(json)) throw new ServerError(status, json.error);
      throw new PctxError('REMOTE_UNAVAILABLE', { url: url.origin, reason: `it answered HTTP ${status}`, status });
    }
    const summary = json as PushSummary;
    if (typeof summary?.repo !== 'string' || typeof summary.files !== 'object') {
      throw new PctxError('REMOTE_UNAVAILABLE', { url: url.origin, reason: 'its answer is not an index summary', status });
    }
    const sent = { url: url.origin, files: files.length, compressedBytes };
    if (options.json) printJson({ ...summary, sent });
    else printHuman(summary, url.origin, sent, performance.now() - started);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export function pushCommand(): Command {
  return new Command('push')
    .description('upload a folder to a PureContext server and index it there (sends only the files an index run would read)')
    .argument('<dir>', 'folder to upload')
    .option('--url <url>', 'server base URL, e.g. https://pctx.example.com (env PCTX_URL)')
    .option('--key <key>', 'API key with write permission (env PCTX_API_KEY, which keeps it out of shell history)')
    .option('--name <name>', 'repository name on the server (default: the folder name)')
    .option('--exclude <pattern...>', 'extra gitignore-style patterns to leave out')
    .option('--json', 'machine-readable output (see docs/cli.md)')
    .action(async (dir: string, options: PushOptions) => {
      try {
        await push(dir, options);
      } catch (err) {
        report(err, options.json === true);
      }
    });
}
