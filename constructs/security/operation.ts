import type { Operation as OperationSpec } from '../api/authorization-policy';

const METHOD = /^[A-Z]+$|^\*$/;

/**
 * What a request does: hosts, ports, methods, paths. Fields are AND'ed; values of one
 * field are OR'ed. Builders chain: `Operation.paths('/api/*').methods('GET')`.
 */
export class Operation {
  /** Requests whose path matches one of `paths` (exact, `prefix*`, `*suffix`). */
  public static paths(...paths: string[]): Operation {
    return new Operation({}).paths(...paths);
  }

  /** Requests with one of `methods`. */
  public static methods(...methods: string[]): Operation {
    return new Operation({}).methods(...methods);
  }

  /** Requests to one of `ports`. */
  public static ports(...ports: number[]): Operation {
    return new Operation({}).ports(...ports);
  }

  /** Requests for one of `hosts` (`Host` header). */
  public static hosts(...hosts: string[]): Operation {
    return new Operation({}).hosts(...hosts);
  }

  /** Requests whose path matches none of `paths`. */
  public static notPaths(...paths: string[]): Operation {
    return new Operation({}).notPaths(...paths);
  }

  /** Requests with none of `methods`. */
  public static notMethods(...methods: string[]): Operation {
    return new Operation({}).notMethods(...methods);
  }

  private constructor(private readonly spec: { readonly [K in keyof OperationSpec]?: readonly string[] }) {}

  /** Also requires one of `paths`. */
  public paths(...paths: string[]): Operation {
    return this.with('paths', paths);
  }

  /** Also requires none of `paths`. */
  public notPaths(...paths: string[]): Operation {
    return this.with('notPaths', paths);
  }

  /** Also requires one of `methods`. */
  public methods(...methods: string[]): Operation {
    return this.with('methods', methods);
  }

  /** Also requires none of `methods`. */
  public notMethods(...methods: string[]): Operation {
    return this.with('notMethods', methods);
  }

  /** Also requires one of `ports`. */
  public ports(...ports: number[]): Operation {
    return this.with('ports', ports.map(String));
  }

  /** Also requires none of `ports`. */
  public notPorts(...ports: number[]): Operation {
    return this.with('notPorts', ports.map(String));
  }

  /** Also requires one of `hosts`. */
  public hosts(...hosts: string[]): Operation {
    return this.with('hosts', hosts);
  }

  /** Also requires none of `hosts`. */
  public notHosts(...hosts: string[]): Operation {
    return this.with('notHosts', hosts);
  }

  /** @internal Istio's `Operation`. */
  public _render(): OperationSpec {
    const out: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(this.spec)) {
      out[k] = [...(v as string[])];
    }
    return out as OperationSpec;
  }

  /** @internal Problems, each starting with a field name. */
  public _validate(): string[] {
    const problems: string[] = [];
    const s = this.spec;
    if (Object.keys(s).length === 0) {
      problems.push('operation must set at least one of paths, methods, ports, hosts (got none)');
    }
    for (const [k, values] of Object.entries(s) as [string, readonly string[]][]) {
      if (values.length === 0) {
        problems.push(`operation.${k} must list at least one value (got none)`);
      }
      for (const v of values) {
        if (/paths|hosts/i.test(k) && !validWildcard(v)) {
          problems.push(`operation.${k} values may have '*' only at the start or the end (got ${JSON.stringify(v)})`);
        }
        if (/methods/i.test(k) && !METHOD.test(v)) {
          problems.push(`operation.${k} must hold upper-case HTTP methods (got ${JSON.stringify(v)})`);
        }
        if (/ports/i.test(k) && !(Number.isInteger(Number(v)) && Number(v) >= 1 && Number(v) <= 65535)) {
          problems.push(`operation.${k} must hold ports between 1 and 65535 (got ${v})`);
        }
      }
    }
    return problems;
  }

  private with(field: keyof OperationSpec, values: readonly string[]): Operation {
    return new Operation({ ...this.spec, [field]: [...(this.spec[field] ?? []), ...values] });
  }
}

function validWildcard(v: string): boolean {
  if (v.length === 0) return false;
  if (v.includes('{*}') || v.includes('{**}')) return true; // Istio path templates
  const inner = v.slice(1, -1);
  return !inner.includes('*');
}
