/**
 * Names of files that hold credentials. Discovery refuses them whatever their language,
 * because an index is read by AI agents and, in hosted mode, stored on someone else's disk:
 * a key that reaches the index has leaked.
 *
 * Matching is on the file name only and ignores case, since on case-insensitive file
 * systems `ID_RSA` is the same file as `id_rsa`.
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
