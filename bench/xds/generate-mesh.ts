/**
 * Writes the configuration directory of a generated mesh for the control-plane
 * benchmark: N services in one namespace, each with two versions (v1, v2).
 *
 * Per service `svc-NNNN`:
 * - a Service (port `http` 9080, selector `app: svc-NNNN`);
 * - two Pods (`svc-NNNN-v1`, `svc-NNNN-v2`) labelled `app`/`version`, each on
 *   its own loopback address (never contacted);
 * - an EndpointSlice with the two endpoints, each pointing at its Pod, so the
 *   subsets select them by label;
 * - a DestinationRule with subsets v1/v2;
 * - a VirtualService: header `x-canary: <revision>` → v2, default → v1.
 *
 * Objects are spread over a few files per kind (`services-00.yaml`, ...). The
 * VirtualService and EndpointSlice of the services the benchmark changes live
 * in files of their own, so a change rewrites one small file.
 *
 *   node lib/bench/xds/generate-mesh.js DIR [--services 1000]
 */
import * as fs from 'fs';
import * as path from 'path';

export const MESH_NAMESPACE = 'ns';
export const SERVICE_PORT = 9080;
export const VERSIONS = ['v1', 'v2'] as const;
export type Version = (typeof VERSIONS)[number];

export interface MeshOptions {
  /** Number of services. @default 1000 */
  readonly services?: number;
  /** Services per file. @default 250 */
  readonly servicesPerFile?: number;
  /** Indexes of services whose VirtualService and EndpointSlice get files of their own. @default [0] */
  readonly mutable?: readonly number[];
}

export interface GeneratedMesh {
  readonly directory: string;
  readonly services: number;
  readonly files: readonly string[];
  /** Number of Kubernetes/Istio objects written. */
  readonly objects: number;
  readonly bytes: number;
}

export function serviceName(i: number): string {
  return `svc-${String(i).padStart(4, '0')}`;
}

export function podName(i: number, version: Version): string {
  return `${serviceName(i)}-${version}`;
}

/** Loopback address of the Pod of service `i`, version `version` (`shift` moves it for endpoint changes). */
export function podAddress(i: number, version: Version, shift = 0): string {
  const k = 256 + i * 2 + VERSIONS.indexOf(version) + shift * 2 * 65536;
  return `127.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
}

/** The labels Istio proxies report for the Pod of service `i`, version `version`. */
export function podLabels(i: number, version: Version): Record<string, string> {
  return { app: serviceName(i), version };
}

function service(i: number): string {
  const name = serviceName(i);
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${MESH_NAMESPACE}
  labels:
    app: ${name}
spec:
  selector:
    app: ${name}
  ports:
    - name: http
      port: ${SERVICE_PORT}
      targetPort: ${SERVICE_PORT}
`;
}

function pod(i: number, version: Version): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${podName(i, version)}
  namespace: ${MESH_NAMESPACE}
  labels:
    app: ${serviceName(i)}
    version: ${version}
spec:
  containers:
    - name: app
      image: example/app:1
      ports:
        - containerPort: ${SERVICE_PORT}
status:
  phase: Running
  podIP: ${podAddress(i, version)}
  conditions:
    - type: Ready
      status: "True"
`;
}

/** The EndpointSlice of service `i`; `shift` moves the v2 endpoint to another address. */
export function endpointSlice(i: number, shift = 0): string {
  const name = serviceName(i);
  const endpoint = (version: Version): string => `    - addresses: ["${podAddress(i, version, version === 'v2' ? shift : 0)}"]
      conditions:
        ready: true
      targetRef:
        kind: Pod
        name: ${podName(i, version)}
        namespace: ${MESH_NAMESPACE}
`;
  return `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-abcde
  namespace: ${MESH_NAMESPACE}
  labels:
    kubernetes.io/service-name: ${name}
addressType: IPv4
ports:
  - name: http
    port: ${SERVICE_PORT}
    protocol: TCP
endpoints:
${VERSIONS.map(endpoint).join('')}`;
}

function destinationRule(i: number): string {
  const name = serviceName(i);
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${name}
  namespace: ${MESH_NAMESPACE}
spec:
  host: ${name}
  subsets:
    - name: v1
      labels:
        version: v1
    - name: v2
      labels:
        version: v2
`;
}

/** The VirtualService of service `i`; a new `revision` changes the header the v2 route matches. */
export function virtualService(i: number, revision = 0): string {
  const name = serviceName(i);
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${name}
  namespace: ${MESH_NAMESPACE}
spec:
  hosts:
    - ${name}
  http:
    - match:
        - headers:
            x-canary:
              exact: "${revision}"
      route:
        - destination:
            host: ${name}
            subset: v2
    - route:
        - destination:
            host: ${name}
            subset: v1
`;
}

/** File holding the VirtualService of a mutable service. */
export function virtualServiceFile(directory: string, i: number): string {
  return path.join(directory, `virtualservice-${serviceName(i)}.yaml`);
}

/** File holding the EndpointSlice of a mutable service. */
export function endpointSliceFile(directory: string, i: number): string {
  return path.join(directory, `endpointslice-${serviceName(i)}.yaml`);
}

/** Writes `text` to `file` in one step (write a sibling, then rename), as a config tool would. */
export function replaceFile(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Writes the mesh into `directory` (created if missing; existing `*.yaml` files there are left alone). */
export function generateMesh(directory: string, options: MeshOptions = {}): GeneratedMesh {
  const services = options.services ?? 1000;
  const perFile = options.servicesPerFile ?? 250;
  const mutable = new Set(options.mutable ?? [0]);
  fs.mkdirSync(directory, { recursive: true });
  const files: string[] = [];
  let objects = 0;
  let bytes = 0;
  const write = (file: string, docs: string[]): void => {
    if (docs.length === 0) return;
    const text = docs.join('---\n');
    fs.writeFileSync(file, text);
    files.push(file);
    objects += docs.length;
    bytes += Buffer.byteLength(text);
  };
  for (let start = 0, chunk = 0; start < services; start += perFile, chunk++) {
    const end = Math.min(services, start + perFile);
    const suffix = String(chunk).padStart(2, '0');
    const range = Array.from({ length: end - start }, (_, k) => start + k);
    write(path.join(directory, `services-${suffix}.yaml`), range.map(service));
    write(path.join(directory, `pods-${suffix}.yaml`), range.flatMap((i) => VERSIONS.map((v) => pod(i, v))));
    write(path.join(directory, `endpointslices-${suffix}.yaml`), range.filter((i) => !mutable.has(i)).map((i) => endpointSlice(i)));
    write(path.join(directory, `destinationrules-${suffix}.yaml`), range.map(destinationRule));
    write(path.join(directory, `virtualservices-${suffix}.yaml`), range.filter((i) => !mutable.has(i)).map((i) => virtualService(i)));
  }
  for (const i of mutable) {
    if (i >= services) continue;
    write(virtualServiceFile(directory, i), [virtualService(i)]);
    write(endpointSliceFile(directory, i), [endpointSlice(i)]);
  }
  return { directory, services, files, objects, bytes };
}

function main(argv: string[]): void {
  const directory = argv.find((a, k) => !a.startsWith('--') && !(argv[k - 1] ?? '').startsWith('--'));
  if (!directory) throw new Error('usage: generate-mesh DIR [--services N]');
  const i = argv.indexOf('--services');
  const services = i >= 0 ? Number(argv[i + 1]) : 1000;
  if (!Number.isInteger(services) || services < 1) throw new Error(`--services: expected a positive integer, got ${argv[i + 1]}`);
  const mesh = generateMesh(directory, { services });
  console.log(`${mesh.objects} objects in ${mesh.files.length} files (${(mesh.bytes / 1e6).toFixed(1)} MB) under ${mesh.directory}`);
}

if (require.main === module) main(process.argv.slice(2));
