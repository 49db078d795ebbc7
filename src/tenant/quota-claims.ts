/**
 * Bytes that uploads of this process are writing into a tenant's folder, so that
 * concurrent writers of one tenant check the quota against each other's progress
 * rather than against a measurement taken before the other started (tenants.md#quotas).
 *
 * An upload opens a claim for its staging folder and raises `bytes` before each write.
 * A quota check then counts: its own measurement of the folder with every open claim's
 * folder left out, plus the bytes of the open claims, plus the bytes of claims released
 * since that measurement (their files went live after it, or were removed; counting them
 * errs on the side of refusing). All of it is synchronous on one thread: a check and the
 * write it allows cannot interleave with another writer's.
 *
 * Per process: a CLI index run beside a server does not see the server's uploads.
 */
export interface QuotaClaim {
  /** The folder the claimed bytes are written to, left out of measurements while open. */
  readonly folder: string;
  /** Bytes written (or about to be written) so far; only ever raised. */
  bytes: number;
  /** What the tenant's other writers of this process added that this claim's measurement missed. */
  othersBytes(): number;
  /** The claimed bytes are now on disk where a fresh measurement sees them (or gone). Idempotent. */
  release(): void;
}

class TenantClaims {
  readonly open = new Set<Claim>();
  /** Bytes of every claim released so far: a measurement remembers it and counts what was released after. */
  released = 0;

  openBytes(except?: Claim): number {
    let total = 0;
    for (const claim of this.open) if (claim !== except) total += claim.bytes;
    return total;
  }
}

class Claim implements QuotaClaim {
  bytes = 0;
  private readonly releasedAtOpen: number;
  private closed = false;

  constructor(
    private readonly tenant: TenantClaims,
    readonly folder: string,
  ) {
    this.releasedAtOpen = tenant.released;
    tenant.open.add(this);
  }

  othersBytes(): number {
    return this.tenant.openBytes(this) + (this.tenant.released - this.releasedAtOpen);
  }

  release(): void {
    if (this.closed) return;
    this.closed = true;
    this.tenant.open.delete(this);
    this.tenant.released += this.bytes;
  }
}

// Entries stay for the life of the process (a few dozen bytes per tenant that ever
// uploaded): a view taken by a running check holds its entry, and a fresh entry for the
// same tenant would hide the claims of the old one from it.
const tenants = new Map<string, TenantClaims>();

function claimsOf(tenantId: string): TenantClaims {
  let entry = tenants.get(tenantId);
  if (!entry) {
    entry = new TenantClaims();
    tenants.set(tenantId, entry);
  }
  return entry;
}

/** Opens a claim of the tenant for writes into `folder`; measure the folder's tenant with claimedFolders() left out. */
export function openQuotaClaim(tenantId: string, folder: string): QuotaClaim {
  return new Claim(claimsOf(tenantId), folder);
}

/** A view of the tenant's claims from one measurement on: what it left out and what was added since. */
export interface ClaimsView {
  /** Folders of the claims open when the view was taken: leave them out of the measurement. */
  readonly folders: ReadonlySet<string>;
  /** Bytes the measurement does not show: open claims now, and claims released since the view. */
  addedSince(): number;
}

export function claimsView(tenantId: string): ClaimsView {
  const entry = claimsOf(tenantId);
  const mark = entry.released;
  return {
    folders: new Set([...entry.open].map((c) => c.folder)),
    addedSince: () => entry.openBytes() + (entry.released - mark),
  };
}
