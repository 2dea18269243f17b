/**
 * Loopback addresses for local workload replicas. 127.0.0.0/8 is all on `lo`
 * on Linux, so each replica gets its own addresses, like a pod IP, and no two
 * replicas fight over a port:
 *
 * - pod IP    `127.B.0.N`: the sidecar's inbound listeners; the endpoint address
 *   other proxies reach (what the EndpointSlices list);
 * - egress IP `127.B.1.N`: the sidecar's egress listeners (the app's `MESH_PROXY`);
 *   a Sidecar's ingress and egress must not share a bind address;
 * - app IP    `127.B.2.N`: where the app itself listens (the Sidecar ingress
 *   `defaultEndpoint`).
 *
 * `B` (the block) is 0 by default; tests pick another block so they do not
 * collide with a mesh a developer is running. N starts at 2: 127.B.0.1 is left
 * to the control plane, the ingress gateway and the admin ports (127.0.0.1).
 *
 * Ports below 1024 need privileges: local mode maps them to `port + 8000`
 * (80 → 8080, 443 → 8443), bumped further when that is taken in the same scope.
 */

export interface ReplicaAddresses {
  readonly podIp: string;
  readonly egressIp: string;
  readonly appIp: string;
}

/** Offset added to privileged ports in local mode. */
export const PRIVILEGED_PORT_OFFSET = 8000;
/** First host number N handed out. */
export const FIRST_HOST = 2;
/** Last host number N: 127.B.x.254. */
export const LAST_HOST = 254;

export class AddressAllocator {
  private next = FIRST_HOST;

  /** @param block the second octet B of every address, 0..255. */
  public constructor(public readonly block = 0) {
    if (!Number.isInteger(block) || block < 0 || block > 255) {
      throw new Error(`address block: expected 0..255 (the B of 127.B.x.N), got ${block}`);
    }
  }

  /** The addresses of the next replica; throws when the block is full. */
  public allocate(): ReplicaAddresses {
    if (this.next > LAST_HOST) {
      throw new Error(`address block 127.${this.block}.x.N is full: at most ${LAST_HOST - FIRST_HOST + 1} replicas run locally`);
    }
    const n = this.next++;
    return {
      podIp: `127.${this.block}.0.${n}`,
      egressIp: `127.${this.block}.1.${n}`,
      appIp: `127.${this.block}.2.${n}`,
    };
  }
}

/**
 * The unprivileged port standing for `port`: itself from 1024 up, else
 * `port + 8000`, then the next port not in `taken` (ports already used in the
 * same address scope).
 */
export function unprivilegedPort(port: number, taken: ReadonlySet<number> = new Set()): number {
  if (port >= 1024) return port;
  let local = port + PRIVILEGED_PORT_OFFSET;
  while (taken.has(local)) local++;
  return local;
}
