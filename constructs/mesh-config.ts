import * as yaml from 'js-yaml';
import { AccessLogging } from './control-plane/access-logging';
import { MtlsMode } from './security/mtls-policy';
import { OutboundTrafficPolicyMode } from './control-plane/outbound-traffic-policy';

/** The settings a mesh's configuration is made of. */
export interface MeshConfigOptions {
  /** The mesh's root namespace: mesh-wide policies live here. */
  readonly rootNamespace: string;
  /** SPIFFE trust domain of workload identities. */
  readonly trustDomain: string;
  /** `host:port` of the control plane's xDS server, given to every proxy. */
  readonly discoveryAddress: string;
  readonly outboundTrafficPolicy: OutboundTrafficPolicyMode;
  readonly accessLogging: AccessLogging;
  /** meshform's default mutual TLS mode for workloads no PeerAuthentication selects. */
  readonly mtlsMode: MtlsMode;
}

/**
 * The subset of Istio's `MeshConfig` (the `mesh` key of the `istio` ConfigMap) that meshform sets,
 * with Istio's field names so the same document is readable by both.
 */
export interface IstioMeshConfig {
  readonly rootNamespace: string;
  readonly trustDomain: string;
  readonly enableAutoMtls: boolean;
  readonly defaultConfig: {
    readonly discoveryAddress: string;
  };
  readonly outboundTrafficPolicy: { readonly mode: OutboundTrafficPolicyMode };
  readonly accessLogFile: string;
  readonly accessLogFormat?: string;
  readonly accessLogEncoding?: string;
}

/** meshform settings that have no MeshConfig field (kept apart so `mesh` stays valid Istio). */
export interface MeshformSettings {
  readonly mtls: { readonly mode: MtlsMode };
}

/** Istio MeshConfig for these options. */
export function renderMeshConfig(options: MeshConfigOptions): IstioMeshConfig {
  return {
    rootNamespace: options.rootNamespace,
    trustDomain: options.trustDomain,
    enableAutoMtls: true,
    defaultConfig: { discoveryAddress: options.discoveryAddress },
    outboundTrafficPolicy: { mode: options.outboundTrafficPolicy },
    ...dropUndefined(options.accessLogging._render()),
  };
}

/**
 * The data of the mesh-config ConfigMap the control plane reads:
 * `mesh` holds Istio's MeshConfig as YAML, `meshform` the settings MeshConfig lacks
 * (the default mutual TLS mode).
 */
export function renderMeshConfigData(options: MeshConfigOptions): { mesh: string; meshform: string } {
  const meshform: MeshformSettings = { mtls: { mode: options.mtlsMode } };
  return {
    mesh: yaml.dump(renderMeshConfig(options)),
    meshform: yaml.dump(meshform),
  };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
