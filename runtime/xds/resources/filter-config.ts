/**
 * Per-filter configuration on virtual hosts, routes and weighted clusters
 * (`typed_per_filter_config`, keyed by the HTTP filter's name): fault and CORS
 * overrides, or a filter disabled for the route.
 */
import type { Message } from './private/reader';
import { readAny } from './private/reader';
import { CORS_POLICY_TYPE_URL, CorsPolicy, decodeCorsPolicy } from './cors';
import { FAULT_TYPE_URL, FaultConfig, decodeFault } from './fault';

export const FILTER_CONFIG_TYPE_URL = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';

export type PerFilterConfig =
  | { readonly kind: 'fault'; readonly config: FaultConfig }
  | { readonly kind: 'cors'; readonly policy: CorsPolicy }
  /** The filter is skipped for this route. */
  | { readonly kind: 'disabled' };

/** Per-filter configuration by HTTP filter name. */
export type PerFilterConfigs = Readonly<Record<string, PerFilterConfig>>;

export const NO_FILTER_CONFIGS: PerFilterConfigs = Object.freeze({});

function decodeOne(m: Message, optional: boolean): PerFilterConfig | undefined {
  const typed = readAny(m);
  if (!typed) return undefined;
  if (typed.typeUrl === FILTER_CONFIG_TYPE_URL && typed.body) {
    const wrapper = typed.body;
    const isOptional = wrapper.bool('is_optional', false);
    if (wrapper.bool('disabled', false)) {
      if (wrapper.has('config')) wrapper.error('config', 'must not be set on a disabled filter');
      return { kind: 'disabled' };
    }
    const inner = wrapper.message('config', { required: true });
    return inner ? decodeOne(inner, isOptional) : undefined;
  }
  if (typed.typeUrl === FAULT_TYPE_URL && typed.body) return { kind: 'fault', config: decodeFault(typed.body) };
  if (typed.typeUrl === CORS_POLICY_TYPE_URL && typed.body) return { kind: 'cors', policy: decodeCorsPolicy(typed.body) };
  if (!optional) m.error(undefined, `unsupported per-filter config type '${typed.typeUrl}' (mark it optional with a FilterConfig whose is_optional is true to ignore it)`);
  return undefined;
}

/** Reads a `typed_per_filter_config` map; unknown optional entries are dropped. */
export function decodePerFilterConfigs(m: Message): PerFilterConfigs {
  const entries = m.entries('typed_per_filter_config');
  if (entries.length === 0) return NO_FILTER_CONFIGS;
  const out: Record<string, PerFilterConfig> = {};
  for (const [name, value] of entries) {
    if (name === '') {
      value.error(undefined, 'filter name must not be empty');
      continue;
    }
    const config = decodeOne(value, false);
    if (config) out[name] = config;
  }
  return out;
}
