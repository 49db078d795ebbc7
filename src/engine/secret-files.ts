/**
 * Names of files that hold credentials. Discovery refuses them whatever their language,
 * because an index is read by AI agents and, in hosted mode, stored on someone else's disk:
 * a key that reaches the index has leaked.
 *
 * Names are matched ignoring case, since on case-insensitive file systems `ID_RSA` is the
 * same file as `id_rsa`. Content is checked too (`secretInContent`), by the parse worker
 * on the bytes it reads anyway.
 */

const EXACT_NAMES: ReadonlySet<string> = new Set([
  '.env',
  // direnv files export environment variables, which is where secrets usually live.
  '.envrc',
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ed25519',
  'id_rsa.pub',
  'id_dsa.pub',
  'id_ecdsa.pub',
  'id_ed25519.pub',
  '.npmrc',
  '.pypirc',
  '.netrc',
  // What Windows tools call .netrc.
  '_netrc',
  '.pgpass',
]);

const EXTENSIONS: readonly string[] = ['.pem', '.key', '.p12', '.pfx', '.jks', '.keystore', '.kdbx'];

/**
 * `secrets.*` is a secret only as data or configuration. As code (Python's `secrets`
 * module, a `secrets.ts` that reads a vault) it is source like any other and is indexed.
 */
const SECRET_DATA_EXTENSIONS: ReadonlySet<string> = new Set(['', '.json', '.yml', '.yaml', '.toml', '.env', '.ini', '.txt', '.xml', '.properties', '.conf', '.cfg']);

/**
 * True when the file at `relPath` must never be indexed: `.env` and every `.env.*`
 * (templates such as `.env.example` included — they too often hold real values), private
 * keys and certificates (`*.pem`, `*.key`, `*.p12`, `*.pfx`, `*.jks`, `*.keystore`),
 * SSH keys (`id_rsa`, `id_dsa`, `id_ecdsa`, `id_ed25519` and their `.pub`), package-manager
 * and database credentials (`.npmrc`, `.pypirc`, `.netrc`, `.pgpass`), password databases
 * (`*.kdbx`), cloud credentials (`credentials*.json`, `service-account*.json`) and
 * `secrets` data files (`secrets.json`, `secrets.yml`, `secrets.prod.env`…, but not
 * `secrets.py`). Accepts `/` or `\` separated paths.
 */
export function isSecretPath(relPath: string): boolean {
  const cut = Math.max(relPath.lastIndexOf('/'), relPath.lastIndexOf('\\'));
  const name = relPath.slice(cut + 1).toLowerCase();
  if (EXACT_NAMES.has(name)) return true;
  if (name.startsWith('.env.')) return true;
  if (name === 'secrets' || name.startsWith('secrets.')) {
    const dot = name.lastIndexOf('.');
    const ext = dot <= 'secrets'.length - 1 ? '' : name.slice(dot);
    if (SECRET_DATA_EXTENSIONS.has(ext) || name.split('.').length > 2) return true;
  }
  if (name.endsWith('.json') && (name.startsWith('credentials') || name.startsWith('service-account'))) return true;
  return EXTENSIONS.some((extension) => name.endsWith(extension));
}

interface SecretShape {
  /** What the file is reported as holding; never the secret itself. */
  readonly what: string;
  readonly pattern: RegExp;
  /** Rejects look-alikes the pattern cannot tell apart (long kebab-case words). */
  readonly plausible?: (match: string) => boolean;
}

/** Real keys mix cases and digits; identifiers and CSS classes that share a prefix do not. */
function mixed(match: string): boolean {
  return /[0-9]/.test(match) && /[A-Z]/.test(match) && /[a-z]/.test(match);
}

/**
 * Token formats whose prefix alone says what they are. Matching is on content because a
 * name check misses a copy or hard link (`ln .env settings.py`).
 */
const SECRET_SHAPES: readonly SecretShape[] = [
  // The header alone is also how PEM parsers and their tests spell the format: a key has
  // base64 after it (optionally behind `Proc-Type:`-style headers), with real or JSON-escaped
  // line breaks (a cloud service-account file).
  {
    what: 'private key block',
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\s|\\[rn])+(?:[A-Za-z-]+: [^\n\\]*(?:\s|\\[rn])+)*[A-Za-z0-9+/=]{40,}/,
  },
  // AWS documents its examples with keys ending in EXAMPLE; SDK tests are full of them.
  { what: 'AWS access key', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/, plausible: (match) => !match.endsWith('EXAMPLE') },
  { what: 'AWS secret access key', pattern: /aws_secret_access_key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}/i },
  { what: 'GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/ },
  { what: 'GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}/ },
  { what: 'Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { what: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}/ },
  { what: 'Stripe key', pattern: /\b[rs]k_live_[0-9A-Za-z]{24,}/ },
  { what: 'API key', pattern: /\bsk-(?:[a-z]+-)?[A-Za-z0-9_-]{40,}/, plausible: mixed },
];

/** `KEY=value`, no space around `=` (code has spaces, env files do not), optional `export`. */
const ENV_LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)=(.*)$/;
const SECRET_KEY_NAME = /SECRET|TOKEN|PASS(?:WORD|WD)?\b|PASSW|PWD|API_?KEY|ACCESS_?KEY|PRIVATE|CREDENTIAL|AUTH|DSN|DATABASE_URL/i;

/**
 * An environment file whatever its name: every line that is not blank or a `#` comment
 * is `KEY=value`, and one of the keys names a secret with a non-empty value.
 */
function isEnvFile(text: string): boolean {
  let secretKey = false;
  let assignments = 0;
  // Line by line without splitting the whole file: source code fails on its first line.
  for (let start = 0; start < text.length; ) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    const line = text.slice(start, end);
    start = end + 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = ENV_LINE.exec(line);
    if (m === null) return false;
    assignments++;
    if (SECRET_KEY_NAME.test(m[1]!) && m[2]!.trim().replace(/^["']|["']$/g, '') !== '') secretKey = true;
  }
  return assignments > 0 && secretKey;
}

/**
 * What kind of secret `text` (a file's decoded content) holds, or null. Finds private key
 * blocks (PEM, OpenSSH, PGP), cloud and API tokens with a recognisable shape (AWS, GitHub,
 * GitLab, Slack, Google, Stripe, `sk-…` keys) and `KEY=value` environment files with a
 * secret-looking key. The answer names the kind only: the secret never reaches a report.
 */
export function secretInContent(text: string): string | null {
  for (const shape of SECRET_SHAPES) {
    const m = shape.pattern.exec(text);
    if (m !== null && (shape.plausible === undefined || shape.plausible(m[0]))) return shape.what;
  }
  return isEnvFile(text) ? 'KEY=value environment file' : null;
}
