import type { WorkloadSelector } from '../api/common';
import type { IMeshServiceTarget } from '../service-target';
import { DNS1123_LABEL } from '../traffic/private/checks';

/** Istio's default root namespace: policies there apply to the whole mesh. */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/**
 * Where a security policy applies: the whole mesh (the root namespace), one
 * namespace, or the workloads of a namespace that carry some labels.
 */
export abstract class PolicyScope {
  /** The whole mesh: the policy lives in the root namespace, without selector. */
  public static mesh(rootNamespace: string = DEFAULT_ROOT_NAMESPACE): PolicyScope {
    return new PolicyScopeImpl('mesh', rootNamespace, undefined);
  }

  /** Every workload of `namespace`. */
  public static namespace(namespace: string): PolicyScope {
    return new PolicyScopeImpl('namespace', namespace, undefined);
  }

  /** The workloads of `namespace` carrying all of `labels`. */
  public static workload(namespace: string, labels: { readonly [key: string]: string }): PolicyScope {
    return new PolicyScopeImpl('workload', namespace, { ...labels });
  }

  /**
   * The workloads behind a mesh service.
   * @param labels how its pods are labelled. @default { app: service.serviceName }
   */
  public static service(service: IMeshServiceTarget, labels?: { readonly [key: string]: string }): PolicyScope {
    return new PolicyScopeImpl('workload', service.namespace, { ...(labels ?? { app: service.serviceName }) });
  }

  /** `mesh`, `namespace` or `workload`. */
  public abstract readonly level: 'mesh' | 'namespace' | 'workload';
  /** Namespace the policy object lives in. */
  public abstract readonly namespace: string;

  /** @internal The `selector`, if any. */
  public abstract _selector(): WorkloadSelector | undefined;

  /** @internal Problems, each starting with a field name. */
  public abstract _validate(): string[];
}

class PolicyScopeImpl extends PolicyScope {
  constructor(
    public readonly level: 'mesh' | 'namespace' | 'workload',
    public readonly namespace: string,
    private readonly labels: { [key: string]: string } | undefined,
  ) {
    super();
  }

  public _selector(): WorkloadSelector | undefined {
    return this.labels ? { matchLabels: { ...this.labels } } : undefined;
  }

  public _validate(): string[] {
    const problems: string[] = [];
    if (!DNS1123_LABEL.test(this.namespace)) {
      problems.push(`metadata.namespace must be a DNS-1123 label (got ${JSON.stringify(this.namespace)})`);
    }
    if (this.labels && Object.keys(this.labels).length === 0) {
      problems.push('selector.matchLabels must hold at least one label for a workload scope (got none); use PolicyScope.namespace for the whole namespace');
    }
    return problems;
  }
}
