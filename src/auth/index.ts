/** Public surface of `auth/`: the key format and turning a key into a Principal. */

export {
  API_KEY_LENGTH,
  KEY_ENVIRONMENTS,
  computeChecksum,
  generateApiKey,
  hashApiKey,
  parseApiKey,
} from './api-key.js';
export type { GeneratedApiKey, KeyEnvironment, KeyParseFailure, ParseApiKeyResult, ParsedApiKey } from './api-key.js';
export { ApiKeyAuthenticator, DEFAULT_TOUCH_INTERVAL_MS, UNAUTHORIZED_REASONS } from './authenticator.js';
export type { ApiKeyAuthenticatorOptions, AuthResult, Principal, UnauthorizedReason } from './authenticator.js';
export { extractApiKey } from './extract-api-key.js';
export type { RequestHeaders } from './extract-api-key.js';
export { requirePermission } from './require-permission.js';
export { issueApiKey } from './issue-api-key.js';
export type { IssueApiKeyInput, IssuedApiKey } from './issue-api-key.js';
export { apiKeyView } from './api-key-view.js';
export type { ApiKeyView } from './api-key-view.js';
