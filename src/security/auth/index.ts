/** API tokens and roles (DESIGN.md §7). The HTTP edge maps AuthResult to 401/403. */
export { Role, isRole, roleAllows } from './roles.js';
export {
  TOKEN_PREFIX,
  TOKEN_RANDOM_CHARS,
  TOKEN_RE,
  generateToken,
  hashToken,
  verifyToken,
  parseBearer,
} from './tokens.js';
export type { TokenRecord, NewTokenRecord, TokenStore } from './token-store.js';
export { createMemoryTokenStore } from './memory-token-store.js';
export { issueToken, authenticate } from './authenticate.js';
export type { IssueTokenOptions, AuthFailure, AuthResult } from './authenticate.js';
export { createCachedTokenStore } from './cached-token-store.js';
export type { CachedTokenStore, CachedTokenStoreOptions } from './cached-token-store.js';
