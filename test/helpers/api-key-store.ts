import type { ApiKeyStore } from '../../src/control/index.js';

/** A real store with some methods replaced: every other call goes to `store`, bound to it. */
export function withApiKeyStore(store: ApiKeyStore, overrides: Partial<ApiKeyStore> = {}): ApiKeyStore {
  return {
    insert: (r) => store.insert(r),
    findByHash: (h) => store.findByHash(h),
    findForAuth: (h) => store.findForAuth(h),
    listByTenant: (t) => store.listByTenant(t),
    countByTenant: (t) => store.countByTenant(t),
    revokeByPrefix: (p, t) => store.revokeByPrefix(p, t),
    touch: (h, at) => store.touch(h, at),
    ...(store.changeVersion ? { changeVersion: () => store.changeVersion!() } : {}),
    ...overrides,
  };
}

/** The same store without `changeVersion`: its callers must ask it every time. */
export function withoutChangeVersion(store: ApiKeyStore): ApiKeyStore {
  const { changeVersion: _dropped, ...rest } = withApiKeyStore(store);
  return rest;
}
