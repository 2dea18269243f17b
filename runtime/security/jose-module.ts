/**
 * The `jose` library (JWT / JWKS), loaded on first use. Only RequestAuthentication
 * needs it, and most proxies have none: loading it eagerly cost every proxy
 * ≈ 80 modules and ≈ 1 MB of heap for code it never ran. `require` (not
 * `import()`) so that synchronous callers such as `JwksCache.inline` keep working.
 */
import type * as Jose from 'jose';

let loaded: typeof Jose | undefined;

/** The `jose` module; requires it the first time. */
export function jose(): typeof Jose {
  loaded ??= require('jose') as typeof Jose;
  return loaded;
}
