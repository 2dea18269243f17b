/**
 * Where a RequestAuthentication rule's keys come from: `jwks` inline, or
 * `jwksUri` naming a file (`file:///...`) or an http(s) URL on loopback (local
 * mode; in a cluster the control plane would fetch and inline them). Fetched
 * sets are cached for `cacheMs` and refetched early when a token names a key
 * id the set lacks (at most once per `cooldownMs`, so a stream of forged kids
 * cannot hammer the issuer).
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import type * as Jose from 'jose';
import { jose } from './jose-module';

/** Fetches the JWKS document at a URI. */
export type JwksFetcher = (uri: string) => Promise<string>;

export interface JwksCacheOptions {
  /** @default 1_200_000 (20 min, Istio's JWKS refresh interval) */
  readonly cacheMs?: number;
  /** Shortest time between two unknown-kid refetches. @default 30_000 */
  readonly cooldownMs?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default fetchJwksDocument (files and loopback http(s)) */
  readonly fetch?: JwksFetcher;
}

type KeySet = ReturnType<typeof Jose.createLocalJWKSet>;

/** Hosts a `jwksUri` may name in local mode. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Why a `jwksUri` cannot be used, or `undefined` when it can. */
export function checkJwksUri(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `expected a file:// URL or an http(s) URL on loopback (got '${uri}')`;
  }
  if (url.protocol === 'file:') return undefined;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname)) return undefined;
  return `expected a file:// URL or an http(s) URL on loopback (127.0.0.0/8, ::1, localhost) in local mode (got '${uri}')`;
}

/** The default fetcher: reads `file://` URLs, GETs http(s) URLs (5 s timeout, 1 MiB limit). */
export const fetchJwksDocument: JwksFetcher = (uri) => {
  const url = new URL(uri);
  if (url.protocol === 'file:') return fs.promises.readFile(url, 'utf8');
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { timeout: 5000 }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${uri}: status ${res.statusCode}`));
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > 1 << 20) req.destroy(new Error(`GET ${uri}: document larger than 1 MiB`));
      });
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${uri}: timed out`)));
    req.on('error', reject);
  });
};

/** Parses a JWKS document; throws naming what is wrong. */
export function parseJwks(text: string): Jose.JSONWebKeySet {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  if (doc === null || typeof doc !== 'object' || !Array.isArray((doc as { keys?: unknown }).keys)) {
    throw new Error('expected a JSON Web Key Set: an object with a "keys" array');
  }
  return doc as Jose.JSONWebKeySet;
}

/** The keys of one rule, loaded lazily and cached. */
export class JwksCache {
  private keys: KeySet | undefined;
  private loadedAt = -Infinity;
  private lastRefetch = -Infinity;
  private loading: Promise<KeySet> | undefined;
  private readonly now: () => Date;
  /** The last fetch failure, for debug views. */
  lastError: string | undefined;

  /** Keys given inline (never refetched). */
  static inline(jwks: Jose.JSONWebKeySet): JwksCache {
    const cache = new JwksCache(undefined, {});
    cache.keys = jose().createLocalJWKSet(jwks);
    cache.loadedAt = Infinity;
    return cache;
  }

  constructor(readonly uri: string | undefined, private readonly options: JwksCacheOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The current key set, fetched when absent or older than `cacheMs`. */
  async keySet(): Promise<KeySet> {
    if (this.keys && this.now().getTime() - this.loadedAt < (this.options.cacheMs ?? 1_200_000)) return this.keys;
    return this.load();
  }

  /** Refetches after an unknown key id; `undefined` while the cooldown runs (or for inline keys). */
  async refetchForUnknownKey(): Promise<KeySet | undefined> {
    if (this.uri === undefined) return undefined;
    const t = this.now().getTime();
    if (t - this.lastRefetch < (this.options.cooldownMs ?? 30_000)) return undefined;
    this.lastRefetch = t;
    return this.load();
  }

  private load(): Promise<KeySet> {
    const uri = this.uri;
    if (uri === undefined) return Promise.resolve(this.keys as KeySet);
    this.loading ??= (async () => {
      try {
        const doc = parseJwks(await (this.options.fetch ?? fetchJwksDocument)(uri));
        this.keys = jose().createLocalJWKSet(doc);
        this.loadedAt = this.now().getTime();
        return this.keys;
      } catch (err) {
        // Keep serving the last good set when a refresh fails.
        this.lastError = `${uri}: ${(err as Error).message}`;
        if (this.keys) return this.keys;
        throw new Error(this.lastError);
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }
}
