/** `core.v3.ConfigSource`: meshform proxies fetch everything over the one ADS stream. */
import type { Message } from './reader';

/** Checks that a config source is ADS (or `self`, the same stream). */
export function checkAdsConfigSource(m: Message): void {
  const which = m.oneof(['ads', 'self', 'path', 'path_config_source', 'api_config_source'] as const, { required: true });
  if (which !== undefined && which !== 'ads' && which !== 'self') {
    m.error(which, 'only ADS config sources (ads or self) are supported');
  }
  m.enumOf('resource_api_version', ['AUTO', 'V3'] as const, 'AUTO', ['AUTO', 'V2', 'V3']);
}
