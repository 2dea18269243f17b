/**
 * Just enough of the protobuf wire format for the load side: writing
 * DiscoveryRequests and reading, from DiscoveryResponses, the few fields a
 * simulated Envoy needs (type, version, nonce, and the names of the resources
 * it must subscribe to next). Everything else in a response is skipped
 * without being decoded, so the load process spends its CPU on the protocol,
 * not on decoding clusters it never looks at.
 *
 * Field numbers are those of Envoy's v3 protos (discovery.proto, cluster.proto,
 * listener.proto, listener_components.proto, http_connection_manager.proto).
 */

const HCM_TYPE_URL =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const EDS_DISCOVERY_TYPE = 3;

// --- writing -----------------------------------------------------------------

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

function lengthDelimited(field: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([...varint((field << 3) | 2), ...varint(payload.length)]), payload]);
}

function stringField(field: number, value: string): Buffer {
  return value === '' ? Buffer.alloc(0) : lengthDelimited(field, Buffer.from(value, 'utf8'));
}

/** `google.protobuf.Value` holding a string or a struct of strings. */
function valueOf(value: string | Readonly<Record<string, string>>): Buffer {
  return typeof value === 'string' ? lengthDelimited(3, Buffer.from(value, 'utf8')) : lengthDelimited(5, struct(value));
}

/** `google.protobuf.Struct` of `fields`. */
function struct(fields: Readonly<Record<string, string | Readonly<Record<string, string>>>>): Buffer {
  return Buffer.concat(
    Object.entries(fields).map(([key, value]) =>
      lengthDelimited(1, Buffer.concat([stringField(1, key), lengthDelimited(2, valueOf(value))])),
    ),
  );
}

export interface NodeFields {
  readonly id: string;
  readonly cluster: string;
  readonly metadata: Readonly<Record<string, string | Readonly<Record<string, string>>>>;
}

/** An encoded `envoy.config.core.v3.Node` (id 1, cluster 2, metadata 3, user_agent_name 6). */
export function encodeNode(node: NodeFields): Buffer {
  return Buffer.concat([
    stringField(1, node.id),
    stringField(2, node.cluster),
    lengthDelimited(3, struct(node.metadata)),
    stringField(6, 'envoy'),
  ]);
}

export interface RequestFields {
  readonly versionInfo: string;
  /** An encoded Node, or undefined to leave it out (after the first request, as Envoy may). */
  readonly node?: Buffer;
  readonly resourceNames: readonly string[];
  readonly typeUrl: string;
  readonly responseNonce: string;
}

/**
 * `resource_names` (field 3) of a request, encoded once per list: proxies
 * repeat the same few thousand names in every ACK, so the lists are shared
 * (see `intern` in simulated-proxy.ts) and their encoding is too, as a real
 * client would not rebuild them from scratch each time either.
 */
const ENCODED_NAMES = new WeakMap<readonly string[], Buffer>();
function encodedNames(names: readonly string[]): Buffer {
  let encoded = ENCODED_NAMES.get(names);
  if (!encoded) {
    encoded = Buffer.concat(names.map((name) => lengthDelimited(3, Buffer.from(name, 'utf8'))));
    ENCODED_NAMES.set(names, encoded);
  }
  return encoded;
}

/** An encoded `DiscoveryRequest`. */
export function encodeRequest(request: RequestFields): Buffer {
  const parts: Buffer[] = [stringField(1, request.versionInfo)];
  if (request.node) parts.push(lengthDelimited(2, request.node));
  parts.push(encodedNames(request.resourceNames));
  parts.push(stringField(4, request.typeUrl), stringField(5, request.responseNonce));
  return Buffer.concat(parts);
}

// --- reading -----------------------------------------------------------------

/** Walks the fields of one message, between `pos` and `end` of a buffer. */
class Reader {
  public pos: number;

  public constructor(public readonly buf: Buffer, start = 0, public readonly end = buf.length) {
    this.pos = start;
  }

  public varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buf[this.pos++];
      if (byte === undefined) throw new Error('protobuf: truncated varint');
      if (shift < 28) result |= (byte & 0x7f) << shift;
      else result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  }

  /** Next field: its number and wire type, or undefined at the end. */
  public next(): { field: number; wire: number } | undefined {
    if (this.pos >= this.end) return undefined;
    const tag = this.varint();
    return { field: tag >>> 3, wire: tag & 7 };
  }

  /** Bounds of a length-delimited payload, moving past it. */
  public bytes(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    this.pos += length;
    if (this.pos > this.end) throw new Error('protobuf: truncated field');
    return [start, this.pos];
  }

  public string(): string {
    const [s, e] = this.bytes();
    return this.buf.toString('utf8', s, e);
  }

  public skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        this.pos += 4;
        return;
      default:
        throw new Error(`protobuf: unsupported wire type ${wire}`);
    }
  }
}

/** What the load side reads of a `DiscoveryResponse`. */
export interface ResponseSummary {
  readonly versionInfo: string;
  readonly typeUrl: string;
  readonly nonce: string;
  /** The `value` bytes of each resource, as [start, end) offsets into the response buffer. */
  readonly resources: ReadonlyArray<readonly [number, number]>;
  readonly bytes: number;
}

/** Reads version_info (1), resources (2: Any.value), type_url (4) and nonce (5); skips the rest. */
export function readResponse(buf: Buffer): ResponseSummary {
  const r = new Reader(buf);
  let versionInfo = '';
  let typeUrl = '';
  let nonce = '';
  const resources: Array<readonly [number, number]> = [];
  for (let f = r.next(); f; f = r.next()) {
    if (f.wire !== 2) {
      r.skip(f.wire);
      continue;
    }
    if (f.field === 1) versionInfo = r.string();
    else if (f.field === 4) typeUrl = r.string();
    else if (f.field === 5) nonce = r.string();
    else if (f.field === 2) {
      const [s, e] = r.bytes();
      const any = new Reader(buf, s, e);
      for (let g = any.next(); g; g = any.next()) {
        if (g.field === 2 && g.wire === 2) resources.push(any.bytes());
        else any.skip(g.wire);
      }
    } else r.skip(f.wire);
  }
  return { versionInfo, typeUrl, nonce, resources, bytes: buf.length };
}

/**
 * The load assignment name a cluster fetches over EDS (`eds_cluster_config.service_name`,
 * else its name), or undefined when the cluster is not of type EDS.
 */
export function clusterEdsName(buf: Buffer, [start, end]: readonly [number, number]): string | undefined {
  const r = new Reader(buf, start, end);
  let name = '';
  let type = 0;
  let serviceName = '';
  for (let f = r.next(); f; f = r.next()) {
    if (f.field === 1 && f.wire === 2) name = r.string();
    else if (f.field === 2 && f.wire === 0) type = r.varint();
    else if (f.field === 3 && f.wire === 2) {
      const [s, e] = r.bytes();
      const eds = new Reader(buf, s, e);
      for (let g = eds.next(); g; g = eds.next()) {
        if (g.field === 2 && g.wire === 2) serviceName = eds.string();
        else eds.skip(g.wire);
      }
    } else r.skip(f.wire);
  }
  if (type !== EDS_DISCOVERY_TYPE) return undefined;
  return serviceName !== '' ? serviceName : name;
}

/** Route configuration names a listener's HTTP connection managers fetch over RDS (`rds.route_config_name`). */
export function listenerRouteNames(buf: Buffer, [start, end]: readonly [number, number], into: Set<string>): void {
  const r = new Reader(buf, start, end);
  for (let f = r.next(); f; f = r.next()) {
    // filter_chains = 3, default_filter_chain = 25
    if ((f.field === 3 || f.field === 25) && f.wire === 2) filterChainRouteNames(buf, r.bytes(), into);
    else r.skip(f.wire);
  }
}

function filterChainRouteNames(buf: Buffer, [start, end]: readonly [number, number], into: Set<string>): void {
  const chain = new Reader(buf, start, end);
  for (let f = chain.next(); f; f = chain.next()) {
    if (f.field !== 3 || f.wire !== 2) {
      chain.skip(f.wire);
      continue;
    }
    // Filter: typed_config = 4 (Any: type_url 1, value 2)
    const [fs, fe] = chain.bytes();
    const filter = new Reader(buf, fs, fe);
    for (let g = filter.next(); g; g = filter.next()) {
      if (g.field !== 4 || g.wire !== 2) {
        filter.skip(g.wire);
        continue;
      }
      const [as, ae] = filter.bytes();
      const any = new Reader(buf, as, ae);
      let typeUrl = '';
      let value: [number, number] | undefined;
      for (let h = any.next(); h; h = any.next()) {
        if (h.field === 1 && h.wire === 2) typeUrl = any.string();
        else if (h.field === 2 && h.wire === 2) value = any.bytes();
        else any.skip(h.wire);
      }
      if (typeUrl === HCM_TYPE_URL && value) hcmRouteName(buf, value, into);
    }
  }
}

function hcmRouteName(buf: Buffer, [start, end]: readonly [number, number], into: Set<string>): void {
  const hcm = new Reader(buf, start, end);
  for (let f = hcm.next(); f; f = hcm.next()) {
    if (f.field !== 3 || f.wire !== 2) {
      hcm.skip(f.wire);
      continue;
    }
    const [s, e] = hcm.bytes();
    const rds = new Reader(buf, s, e);
    for (let g = rds.next(); g; g = rds.next()) {
      if (g.field === 2 && g.wire === 2) {
        const name = rds.string();
        if (name !== '') into.add(name);
      } else rds.skip(g.wire);
    }
  }
}

/** Whether a route configuration takes its virtual hosts over VHDS (field `vhds` = 9 present). */
export function routeConfigUsesVhds(buf: Buffer, [start, end]: readonly [number, number]): boolean {
  const r = new Reader(buf, start, end);
  for (let f = r.next(); f; f = r.next()) {
    if (f.field === 9 && f.wire === 2) return true;
    r.skip(f.wire);
  }
  return false;
}

// --- delta ---------------------------------------------------------------------

export interface DeltaRequestFields {
  /** An encoded Node, or undefined to leave it out (after the first request). */
  readonly node?: Buffer;
  readonly typeUrl: string;
  readonly subscribe?: readonly string[];
  readonly unsubscribe?: readonly string[];
  readonly responseNonce?: string;
}

/** An encoded `DeltaDiscoveryRequest` (node 1, type_url 2, subscribe 3, unsubscribe 4, response_nonce 6). */
export function encodeDeltaRequest(request: DeltaRequestFields): Buffer {
  const parts: Buffer[] = [];
  if (request.node) parts.push(lengthDelimited(1, request.node));
  parts.push(stringField(2, request.typeUrl));
  for (const name of request.subscribe ?? []) parts.push(lengthDelimited(3, Buffer.from(name, 'utf8')));
  for (const name of request.unsubscribe ?? []) parts.push(lengthDelimited(4, Buffer.from(name, 'utf8')));
  parts.push(stringField(6, request.responseNonce ?? ''));
  return Buffer.concat(parts);
}

/** What the load side reads of a `DeltaDiscoveryResponse`. */
export interface DeltaResponseSummary {
  readonly typeUrl: string;
  readonly nonce: string;
  /** Each resource's name and the bounds of its `Any.value` in the response buffer. */
  readonly resources: ReadonlyArray<{ readonly name: string; readonly value: readonly [number, number] }>;
  readonly removed: readonly string[];
  readonly bytes: number;
}

/**
 * Reads type_url (4), nonce (5), removed_resources (6) and resources (2:
 * Resource name 3, resource 2 → Any.value); skips the rest.
 */
export function readDeltaResponse(buf: Buffer): DeltaResponseSummary {
  const r = new Reader(buf);
  let typeUrl = '';
  let nonce = '';
  const resources: Array<{ name: string; value: readonly [number, number] }> = [];
  const removed: string[] = [];
  for (let f = r.next(); f; f = r.next()) {
    if (f.wire !== 2) r.skip(f.wire);
    else if (f.field === 4) typeUrl = r.string();
    else if (f.field === 5) nonce = r.string();
    else if (f.field === 6) removed.push(r.string());
    else if (f.field === 2) {
      const [s, e] = r.bytes();
      const resource = new Reader(buf, s, e);
      let name = '';
      let value: readonly [number, number] = [s, s];
      for (let g = resource.next(); g; g = resource.next()) {
        if (g.field === 3 && g.wire === 2) name = resource.string();
        else if (g.field === 2 && g.wire === 2) {
          const [as, ae] = resource.bytes();
          const any = new Reader(buf, as, ae);
          for (let h = any.next(); h; h = any.next()) {
            if (h.field === 2 && h.wire === 2) value = any.bytes();
            else any.skip(h.wire);
          }
        } else resource.skip(g.wire);
      }
      resources.push({ name, value });
    } else r.skip(f.wire);
  }
  return { typeUrl, nonce, resources, removed, bytes: buf.length };
}
