/** The network filters the listeners use: the HTTP connection manager (RDS or inline routes) and tcp_proxy. */
import { FILTER, PlainMessage, TYPE, adsConfigSource, typed } from './envoy';

/** HTTP filters, as Istio chains them: security filters (jwt_authn, RBAC) first, fault and CORS (configured per route), router last. */
export function httpFilters(security: readonly PlainMessage[] = []): PlainMessage[] {
  return [
    ...security,
    { name: FILTER.fault, typed_config: typed(TYPE.fault) },
    { name: FILTER.cors, typed_config: typed(TYPE.cors) },
    { name: FILTER.router, typed_config: typed(TYPE.router) },
  ];
}

export interface HcmProps {
  readonly statPrefix: string;
  /** Route configuration fetched over RDS. */
  readonly rds?: string;
  /** Route configuration given inline. */
  readonly routeConfig?: PlainMessage;
  /** Trust the downstream address (gateways). @default false */
  readonly useRemoteAddress?: boolean;
  /** jwt_authn and RBAC filters placed before the others (inbound: see `inboundSecurityFilters`). @default none */
  readonly securityFilters?: readonly PlainMessage[];
}

export function httpConnectionManager(props: HcmProps): PlainMessage {
  return {
    name: FILTER.hcm,
    typed_config: typed(TYPE.hcm, {
      stat_prefix: props.statPrefix,
      ...(props.rds !== undefined ? { rds: { route_config_name: props.rds, config_source: adsConfigSource() } } : {}),
      ...(props.routeConfig !== undefined ? { route_config: props.routeConfig } : {}),
      http_filters: httpFilters(props.securityFilters),
      use_remote_address: props.useRemoteAddress ?? false,
    }),
  };
}

export function tcpProxy(cluster: string, statPrefix: string = cluster): PlainMessage {
  return { name: FILTER.tcpProxy, typed_config: typed(TYPE.tcpProxy, { stat_prefix: statPrefix, cluster }) };
}
