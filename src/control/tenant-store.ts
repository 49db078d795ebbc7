/**
 * The contract for storing tenants. The SQLite implementation lives in
 * `sqlite-tenant-store.ts`; a shared PostgreSQL control plane would implement the same
 * interface (with async return types), so nothing here mentions SQL.
 */

export type TenantStatus = 'active' | 'deleting';

export interface Tenant {
  /** 8 lowercase hex characters; `00000000` is the local tenant. */
  id: string;
  /** Unique, 1–64 characters of `[A-Za-z0-9._-]`, starting with a letter or digit. */
  name: string;
  /** ISO-8601 UTC. */
  createdAt: string;
  /** ISO-8601 UTC; bumped by every change, including `markDeleting`. */
  updatedAt: string;
  /** Tenant-specific configuration, a plain JSON object. */
  settings: Record<string, unknown>;
  /** Storage limit in bytes; null means unlimited. */
  quotaBytes: number | null;
  /** `deleting` is the delete tombstone: the tenant's files are being removed. */
  status: TenantStatus;
  /** When `markDeleting` first ran; null while active. */
  deletingSince: string | null;
}

export interface CreateTenantInput {
  name: string;
  /** @default null (unlimited) */
  quotaBytes?: number | null;
  /** @default {} */
  settings?: Record<string, unknown>;
  /** @default a random 8-hex id that is neither taken nor reserved */
  id?: string;
}

export interface EnsureTenantInput {
  id: string;
  name: string;
}

export interface TenantPatch {
  name?: string;
  /** null removes the limit; omit to keep the current one. */
  quotaBytes?: number | null;
  /** Replaces the settings wholesale; omit to keep the current ones. */
  settings?: Record<string, unknown>;
}

/**
 * Tenants and their delete tombstones.
 *
 * Identifiers: ids and names share one lookup namespace (see `get`), so the store refuses a
 * name equal to another tenant's id and never assigns an id equal to another tenant's name.
 * Inputs are validated before anything is written: bad ids throw INVALID_TENANT_ID, other
 * bad values INVALID_ARGUMENT naming the option.
 */
export interface TenantStore {
  /**
   * Creates an active tenant.
   * Name already used (or equal to another tenant's id) → TENANT_EXISTS; explicit `id`
   * taken → TENANT_EXISTS; `id` `00000000` is reserved for `ensure` → INVALID_ARGUMENT.
   * Called twice with the same name: the second call throws TENANT_EXISTS.
   */
  create(input: CreateTenantInput): Tenant;

  /**
   * Returns the tenant with `id`, creating it if missing. Called twice: the second call
   * returns the existing tenant unchanged, whatever its name or status now is. Missing
   * but `name` held by another tenant → TENANT_EXISTS. The only way to create the
   * reserved local tenant `00000000`.
   */
  ensure(input: EnsureTenantInput): Tenant;

  /**
   * Looks a tenant up by id or name. An 8-lowercase-hex string is tried as an id first,
   * then as a name; anything else only as a name. Not found → null (never throws for a
   * string argument). Tenants in status `deleting` are returned; callers decide.
   */
  get(idOrName: string): Tenant | null;

  /**
   * Like `get`, but not found → TENANT_NOT_FOUND and a tenant being deleted →
   * TENANT_DELETING. Use it wherever a request is about to act on the tenant.
   */
  require(idOrName: string): Tenant;

  /**
   * Applies `patch` (validated as for `create`; settings replaced wholesale) and bumps
   * `updatedAt`. `id` must be an id, not a name. Not found → TENANT_NOT_FOUND; deleting →
   * TENANT_DELETING; new name taken → TENANT_EXISTS. An empty patch changes nothing and
   * returns the tenant as it is. Called twice with the same patch: same result, later
   * `updatedAt`.
   */
  update(id: string, patch: TenantPatch): Tenant;

  /** Every tenant, active and deleting, ordered by `createdAt` then `name`. */
  list(): Tenant[];

  /**
   * Writes the delete tombstone: status `deleting`, `deletingSince` now, and revokes the
   * tenant's API keys in the same transaction so no request gets in while its files are
   * removed. Not found → TENANT_NOT_FOUND. Called twice: the second call changes nothing
   * and returns the tenant with its first `deletingSince`.
   */
  markDeleting(id: string): Tenant;

  /** Tenants with a delete tombstone, oldest tombstone first: the work left after a crash. */
  listDeleting(): Tenant[];

  /**
   * Removes the tenant row and its API keys in one transaction, once its files are gone.
   * Request-log rows keep the tenant id for history. Only tombstoned tenants can be
   * purged: an active tenant → INVALID_ARGUMENT (call `markDeleting` first). Not found
   * (including called twice) → returns without error.
   */
  purge(id: string): void;
}
