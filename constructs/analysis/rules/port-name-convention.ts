import { AnalysisContext } from '../context';
import { Finding } from '../finding';
import { asArray, asNumber, asRecord, asString } from '../private/fields';
import { AnalysisRule, findingOf } from '../rule';

/** Protocols Istio recognizes as a Service port name prefix. */
export const PORT_NAME_PROTOCOLS: readonly string[] = [
  'http', 'http2', 'https', 'grpc', 'grpc-web', 'mongo', 'mysql', 'redis', 'tcp', 'tls', 'udp',
];

const CONVENTION = new RegExp(`^(${PORT_NAME_PROTOCOLS.join('|')})(-.*)?$`, 'i');

/**
 * A Service port name must be `<protocol>[-<suffix>]` (`http`, `grpc-api`, `tcp-db`)
 * unless `appProtocol` says the protocol: otherwise Istio cannot tell the protocol
 * and HTTP routing, retries and metrics do not apply to the port.
 * Istio reports this as information; meshform makes it an error, since every
 * meshform HTTP feature silently stops working on such a port.
 * Services in Kubernetes' own namespaces, and Istio's own components (label
 * `istio: ingressgateway` and the like, whose `status-port` is by design), are skipped.
 */
export const portNameConventionRule: AnalysisRule = {
  id: 'IST0118',
  name: 'port-name-convention',
  description: 'A Service port name does not follow the <protocol>[-<suffix>] convention and sets no appProtocol.',
  check(context: AnalysisContext): Finding[] {
    const findings: Finding[] = [];
    for (const service of context.services) {
      if (context.isSystemNamespace(service.namespace) || AnalysisContext.isIstioComponent(service.labels)) continue;
      asArray(service.spec.ports).forEach((p, index) => {
        const port = asRecord(p);
        if (!port || asString(port.appProtocol)) return;
        const name = asString(port.name);
        if (name && CONVENTION.test(name)) return;
        const number = asNumber(port.port) ?? '?';
        const got = name ? `is named "${name}"` : 'has no name';
        findings.push(findingOf(portNameConventionRule, 'error', service, `spec.ports[${index}].name`,
          `${service.ref}: port ${number} ${got}; expected <protocol>[-<suffix>] with protocol one of `
          + `${PORT_NAME_PROTOCOLS.join(', ')} (e.g. "http-${name ?? 'web'}"), or set appProtocol`));
      });
    }
    return findings;
  },
};
