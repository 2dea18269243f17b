import { MeshServicePort } from '../../service-target';
import { PORT_PROTOCOLS, protocolOfPortName } from '../port-protocol';
import { checkPort, fail } from './validate';

/** Kubernetes port names are IANA service names: at most 15 characters, [a-z0-9-], a letter, no `--`. */
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Checks a port name against Istio's `<protocol>[-<suffix>]` convention and Kubernetes' rules. */
export function checkPortName(path: string, field: string, name: string): void {
  if (protocolOfPortName(name) === undefined) {
    fail(path, field, `'<protocol>[-<suffix>]' with protocol one of ${PORT_PROTOCOLS.join(', ')}`, name);
  }
  if (name.length > 15 || !IANA_SVC_NAME.test(name) || name.includes('--')) {
    fail(path, field, 'a Kubernetes port name (at most 15 characters: lower-case letters, digits, single "-")', name);
  }
}

/** Checks a list of service ports: names, numbers, and that neither repeats. */
export function checkServicePorts(path: string, ports: readonly MeshServicePort[]): void {
  if (ports.length === 0) fail(path, 'ports', 'at least one port', []);
  const names = new Set<string>();
  const numbers = new Set<number>();
  ports.forEach((p, i) => {
    checkPortName(path, `ports[${i}].name`, p.name);
    checkPort(path, `ports[${i}].port`, p.port);
    if (p.targetPort !== undefined) checkPort(path, `ports[${i}].targetPort`, p.targetPort);
    if (names.has(p.name)) fail(path, `ports[${i}].name`, 'unique among the ports', p.name);
    if (numbers.has(p.port)) fail(path, `ports[${i}].port`, 'unique among the ports', p.port);
    names.add(p.name);
    numbers.add(p.port);
  });
}
