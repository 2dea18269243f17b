/**
 * The ADS gRPC server: both protocol variants over one cache, bound to
 * loopback unless told otherwise.
 */
import * as grpc from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import type { ConfigWatcher } from '../cache';
import { adsServiceDefinition, DeltaDiscoveryRequest, DeltaDiscoveryResponse, DiscoveryRequest, DiscoveryResponse } from '../protos';
import { handleDeltaStream } from './delta';
import { SILENT_LOGGER, XdsLogger } from './logger';
import { NO_METRICS, prometheusXdsMetrics } from './metrics';
import { handleSotwStream } from './sotw';
import { XdsStatusRegistry } from './status-registry';
import type { StreamDependencies, XdsServerHooks } from './stream-session';

export interface XdsServerProps {
  /** Where resources come from (usually a `SnapshotCache`). */
  readonly cache: ConfigWatcher;
  /**
   * Receives one line per stream opened/closed and per NACK.
   * @default a logger that drops everything
   */
  readonly logger?: XdsLogger;
  /**
   * Sync status of connected proxies.
   * @default a new, empty registry (read it back as `server.status`)
   */
  readonly status?: XdsStatusRegistry;
  /**
   * Registry to export push, NACK and stream metrics to.
   * @default no metrics exported
   */
  readonly metricsRegistry?: Registry;
  /**
   * `control_plane.identifier` of every response.
   * @default 'meshform'
   */
  readonly controlPlaneId?: string;
  /** Stream lifecycle callbacks. @default none */
  readonly hooks?: XdsServerHooks;
  /** More gRPC services on the same port (the CA's CreateCertificate). @default none */
  readonly services?: readonly { readonly definition: grpc.ServiceDefinition; readonly implementation: grpc.UntypedServiceImplementation }[];
}

export interface XdsServer {
  readonly status: XdsStatusRegistry;
  /**
   * Binds and starts serving; resolves to the bound port (useful with port 0).
   * @param host default '127.0.0.1'
   * @param port default 0 (any free port)
   */
  listen(host?: string, port?: number): Promise<number>;
  /** Ends every open stream and stops the server. */
  close(): Promise<void>;
}

export const DEFAULT_XDS_HOST = '127.0.0.1';

export function createXdsServer(props: XdsServerProps): XdsServer {
  const status = props.status ?? new XdsStatusRegistry();
  const deps: StreamDependencies = {
    cache: props.cache,
    logger: props.logger ?? SILENT_LOGGER,
    status,
    metrics: props.metricsRegistry ? prometheusXdsMetrics(props.metricsRegistry) : NO_METRICS,
    controlPlaneId: props.controlPlaneId ?? 'meshform',
    ...(props.hooks ? { hooks: props.hooks } : {}),
  };
  const calls = new Set<grpc.ServerDuplexStream<unknown, unknown>>();
  const track = (call: grpc.ServerDuplexStream<unknown, unknown>): void => {
    calls.add(call);
    const forget = (): void => void calls.delete(call);
    call.on('cancelled', forget);
    call.on('close', forget);
    call.on('finish', forget);
  };

  const server = new grpc.Server();
  server.addService(adsServiceDefinition(), {
    StreamAggregatedResources: (call: grpc.ServerDuplexStream<DiscoveryRequest, DiscoveryResponse>) => {
      track(call as grpc.ServerDuplexStream<unknown, unknown>);
      handleSotwStream(call, deps);
    },
    DeltaAggregatedResources: (call: grpc.ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>) => {
      track(call as grpc.ServerDuplexStream<unknown, unknown>);
      handleDeltaStream(call, deps);
    },
  });

  for (const extra of props.services ?? []) server.addService(extra.definition, extra.implementation);

  let started = false;
  let closed = false;
  return {
    status,
    listen(host = DEFAULT_XDS_HOST, port = 0): Promise<number> {
      const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
      return new Promise((resolve, reject) => {
        server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, boundPort) => {
          if (error) {
            reject(new Error(`xds server: cannot listen on ${address}: ${error.message}`));
            return;
          }
          started = true;
          resolve(boundPort);
        });
      });
    },
    close(): Promise<void> {
      if (closed) return Promise.resolve();
      closed = true;
      for (const call of calls) {
        // Ends the stream with status UNAVAILABLE; the session cleans its watches on 'error'.
        call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'control plane shutting down' });
      }
      calls.clear();
      if (!started) return Promise.resolve();
      // Every stream has just been ended, so there is nothing left to drain; a
      // graceful shutdown would wait for idle client connections forever.
      server.forceShutdown();
      return Promise.resolve();
    },
  };
}
