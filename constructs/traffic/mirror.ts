import type { Destination, HTTPMirrorPolicy } from '../api/virtual-service';
import type { IMeshServiceTarget } from '../service-target';
import { nonEmpty, numberInRange, portNumber } from './private/checks';

/** Where mirrored traffic goes. */
export interface MirrorOptions {
  /**
   * Version (subset) of the service that receives the copies.
   * @default - any version
   */
  readonly version?: string;
  /**
   * Port of the service that receives the copies.
   * @default - the service's only port
   */
  readonly port?: number;
  /**
   * Percentage of requests copied, 0..100 (fractions allowed).
   * @default 100
   */
  readonly percentage?: number;
}

/** Percentage mirrored when none is given. */
export const DEFAULT_MIRROR_PERCENTAGE = 100;

/**
 * Copies requests to another destination, fire-and-forget (responses are dropped):
 * Istio's `mirror` and `mirrorPercentage`.
 */
export abstract class Mirror {
  /** Mirrors to a mesh service (optionally one of its versions). */
  public static toService(service: IMeshServiceTarget, options: MirrorOptions = {}): Mirror {
    return new MirrorImpl(service.fqdn, options, service);
  }

  /** Mirrors to a host name (a mesh FQDN or a ServiceEntry host). */
  public static toHost(host: string, options: MirrorOptions = {}): Mirror {
    return new MirrorImpl(host, options, undefined);
  }

  /** @internal Istio's `Destination` of the mirror. */
  public abstract _renderDestination(): Destination;

  /** @internal Istio's `mirrorPercentage` value. */
  public abstract _renderPercentage(): number;

  /** @internal One entry of Istio's `mirrors` list (Istio 1.22+). */
  public abstract _renderPolicy(): HTTPMirrorPolicy;

  /** @internal Problems, each starting with a field name. */
  public abstract _validate(): string[];
}

class MirrorImpl extends Mirror {
  constructor(
    private readonly host: string,
    private readonly options: MirrorOptions,
    private readonly service: IMeshServiceTarget | undefined,
  ) {
    super();
  }

  public _renderDestination(): Destination {
    const d: Record<string, unknown> = { host: this.host };
    if (this.options.version !== undefined) {
      d.subset = this.options.version;
    }
    if (this.options.port !== undefined) {
      d.port = { number: this.options.port };
    }
    return d as Destination;
  }

  public _renderPercentage(): number {
    return this.options.percentage ?? DEFAULT_MIRROR_PERCENTAGE;
  }

  public _renderPolicy(): HTTPMirrorPolicy {
    return { destination: this._renderDestination(), percentage: { value: this._renderPercentage() } } as HTTPMirrorPolicy;
  }

  public _validate(): string[] {
    const problems = [
      ...nonEmpty('mirror.host', this.host),
      ...numberInRange('mirrorPercentage', this.options.percentage, 0, 100),
      ...portNumber('mirror.port', this.options.port),
    ];
    const v = this.options.version;
    if (v !== undefined && this.service && !this.service.versions.includes(v)) {
      problems.push(`mirror.subset names version '${v}', but ${this.service.serviceName} has versions ${listOrNone(this.service.versions)}`);
    }
    return problems;
  }
}

function listOrNone(items: readonly string[]): string {
  return items.length === 0 ? '(none)' : items.join(', ');
}
