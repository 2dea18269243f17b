import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { IMesh } from '../mesh';
import { injectSidecar } from './private/sidecar';

/** Options of synth-time sidecar injection. */
export interface SynthTimeInjectionOptions {
  /** Proxy image. @default - the mesh's image */
  readonly image?: string;
  /**
   * Resources of the `istio-proxy` container.
   * @default - requests 100m CPU and 128Mi memory, limits 2 CPUs and 1Gi memory (Istio's defaults)
   */
  readonly resources?: kplus.ContainerResources;
}

/** How a `MeshService` workload gets its proxy. */
export enum InjectionMode {
  SYNTH_TIME = 'synth-time',
  WEBHOOK = 'webhook',
  NONE = 'none',
}

/** What an injection needs to know about the workload it applies to. */
export interface InjectionTarget {
  /** Construct under which injection may create helpers (volumes). */
  readonly scope: Construct;
  readonly mesh: IMesh;
  readonly deployment: kplus.Deployment;
  /** Name of the application container (the pod's default container). */
  readonly appContainerName: string;
}

/**
 * How the proxy gets into a workload's pods.
 *
 * @example
 * SidecarInjection.synthTime()   // like `istioctl kube-inject`: visible in the manifest (the default)
 * SidecarInjection.webhook()     // labels pods `sidecar.istio.io/inject: "true"`; the webhook injects at admission
 * SidecarInjection.none()        // no proxy; labels pods `sidecar.istio.io/inject: "false"`
 */
export abstract class SidecarInjection {
  /** Renders the `istio-init` and `istio-proxy` containers into the Deployment at synth time. */
  public static synthTime(options: SynthTimeInjectionOptions = {}): SidecarInjection {
    return new SynthTimeInjection(options);
  }

  /** Leaves the pod alone and asks the injection webhook to add the proxy at admission. */
  public static webhook(): SidecarInjection {
    return new LabelInjection(InjectionMode.WEBHOOK, 'true');
  }

  /** No proxy: the workload is outside the mesh's data plane (opted out of any webhook too). */
  public static none(): SidecarInjection {
    return new LabelInjection(InjectionMode.NONE, 'false');
  }

  /** Which of the three modes this is. */
  public abstract readonly mode: InjectionMode;

  /** @internal */
  public abstract _apply(target: InjectionTarget): void;
}

/** Istio's pod label that turns webhook injection on or off. */
export const INJECT_LABEL = 'sidecar.istio.io/inject';

class SynthTimeInjection extends SidecarInjection {
  public readonly mode = InjectionMode.SYNTH_TIME;

  constructor(private readonly options: SynthTimeInjectionOptions) {
    super();
  }

  public _apply(target: InjectionTarget): void {
    injectSidecar(target, this.options);
  }
}

class LabelInjection extends SidecarInjection {
  constructor(public readonly mode: InjectionMode, private readonly value: 'true' | 'false') {
    super();
  }

  public _apply(target: InjectionTarget): void {
    target.deployment.podMetadata.addLabel(INJECT_LABEL, this.value);
  }
}
