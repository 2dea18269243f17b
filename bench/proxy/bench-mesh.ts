/**
 * The Istio config the proxy benchmarks (`run.ts`, `memory-floor.ts`) hand to
 * `meshform control-plane`.
 */

/**
 * The mesh the proxies get over xDS: the nginx upstream as Service `upstream`
 * (port `servicePort`, one EndpointSlice endpoint 127.0.0.1:`upPort`), a
 * DestinationRule (least-request LB, connection pool limits, outlier
 * detection), a VirtualService whose first route matches a header the load never
 * sends (so every request evaluates it, then takes the default route), and one
 * Sidecar per proxy (workload bench-i) with an egress listener on 127.0.0.2i.
 */
export function meshYaml(upPort: number, servicePort: number): string {
  const sidecar = (i: number) => `---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: bench-${i}, namespace: default }
spec:
  workloadSelector: { labels: { app: bench-${i} } }
  egress:
  - port: { number: ${servicePort}, protocol: HTTP, name: http }
    bind: 127.0.0.2${i}
    captureMode: NONE
    hosts: ["./*"]
`;
  return `apiVersion: v1
kind: Service
metadata: { name: upstream, namespace: default }
spec:
  selector: { app: upstream }
  ports: [{ name: http, port: ${servicePort}, targetPort: ${upPort} }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: upstream-1, namespace: default, labels: { kubernetes.io/service-name: upstream } }
addressType: IPv4
ports: [{ name: http, port: ${upPort}, protocol: TCP }]
endpoints:
- addresses: ["127.0.0.1"]
  conditions: { ready: true }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: upstream, namespace: default }
spec:
  host: upstream.default.svc.cluster.local
  trafficPolicy:
    loadBalancer: { simple: LEAST_REQUEST }
    connectionPool:
      tcp: { maxConnections: 1024, connectTimeout: 5s }
      http: { http1MaxPendingRequests: 1024, maxRequestsPerConnection: 0 }
    outlierDetection: { consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 100 }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: upstream, namespace: default }
spec:
  hosts: [upstream]
  http:
  - name: canary
    match: [{ headers: { x-bench-canary: { exact: "1" } } }]
    route: [{ destination: { host: upstream, port: { number: ${servicePort} } } }]
  - name: default
    route: [{ destination: { host: upstream, port: { number: ${servicePort} } } }]
${sidecar(1)}${sidecar(2)}`;
}
