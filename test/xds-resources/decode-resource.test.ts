/** decodeResource dispatch, validateSnapshotResources, secrets, and packed Any values. */
import { Snapshot } from '../../runtime/xds/cache';
import { packResource } from '../../runtime/xds/protos';
import { TypeUrl } from '../../runtime/xds/resource-types';
import { decodeResource, decodeSecret, validateResources, validateSnapshotResources } from '../../runtime/xds/resources';

const CLUSTER = { name: 'c', type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } } };

describe('decodeResource', () => {
  it('dispatches by type URL', () => {
    const r = decodeResource(TypeUrl.Cluster, CLUSTER);
    expect(r.ok && r.value.name).toBe('c');
    expect(decodeResource(TypeUrl.ClusterLoadAssignment, { cluster_name: 'c' })).toMatchObject({ ok: true, value: { clusterName: 'c' } });
  });

  it('rejects an unserved type URL', () => {
    expect(decodeResource('type.googleapis.com/acme.Thing', {})).toEqual({
      ok: false,
      errors: [`unsupported resource type 'type.googleapis.com/acme.Thing' (expected one of ${Object.values(TypeUrl).join(', ')})`],
    });
  });

  it('reads nested Any values that arrive packed', () => {
    const packed = packResource('type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', { stat_prefix: 'db', cluster: 'db' });
    const r = decodeResource(TypeUrl.Listener, {
      name: 'l', address: { socket_address: { address: '127.0.0.1', port_value: 5432 } }, filter_chains: [{ filters: [{ name: 'tcp', typed_config: packed }] }],
    });
    expect(r.ok && r.value.filterChains[0]?.filters[0]?.kind).toBe('tcpProxy');
  });
});

describe('validateSnapshotResources', () => {
  it('is empty for a valid snapshot', () => {
    expect(validateSnapshotResources(Snapshot.create({ resources: { [TypeUrl.Cluster]: [CLUSTER] } }))).toEqual([]);
  });

  it('names the type and resource of each error', () => {
    const snapshot = Snapshot.create({
      resources: {
        [TypeUrl.Cluster]: [CLUSTER, { name: 'bad', type: 'ORIGINAL_DST', connect_timeout: '0s' }],
        [TypeUrl.RouteConfiguration]: [{ name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' } }] }] }],
      },
    });
    expect(validateSnapshotResources(snapshot)).toEqual([
      "CDS 'bad': connect_timeout: must be greater than 0s (got 0s)",
      "CDS 'bad': lb_policy: must be CLUSTER_PROVIDED for an ORIGINAL_DST cluster (got ROUND_ROBIN)",
      "RDS 'r': virtual_hosts[0].routes[0]: exactly one of route, redirect, direct_response, filter_action, non_forwarding_action is required",
    ]);
  });

  it('validateResources takes one type, as a publishing hook would', () => {
    expect(validateResources(TypeUrl.Cluster, [{ type: 'EDS' }])).toEqual([
      "CDS '#0': name: is required",
      "CDS '#0': eds_cluster_config: is required",
    ]);
  });
});

describe('decodeSecret', () => {
  it('decodes a certificate and a validation context', () => {
    expect(decodeSecret({ name: 'default', tls_certificate: { certificate_chain: { inline_string: 'CERT' }, private_key: { filename: '/etc/key.pem' } } })).toEqual({
      ok: true,
      value: { name: 'default', kind: 'tlsCertificate', certificateChain: { kind: 'inline', value: Buffer.from('CERT') }, privateKey: { kind: 'file', path: '/etc/key.pem' } },
    });
    expect(decodeSecret({
      name: 'ROOTCA',
      validation_context: { trusted_ca: { inline_bytes: Buffer.from('CA').toString('base64') }, match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { prefix: 'spiffe://cluster.local/' } }] },
    })).toEqual({
      ok: true,
      value: {
        name: 'ROOTCA', kind: 'validationContext', trustedCa: { kind: 'inline', value: Buffer.from('CA') },
        matchSubjectAltNames: [{ type: 'URI', matcher: { kind: 'prefix', value: 'spiffe://cluster.local/', ignoreCase: false } }],
      },
    });
  });

  it('requires a name, one kind, and both halves of a certificate', () => {
    expect(decodeSecret({})).toEqual({ ok: false, errors: ['name: is required', 'exactly one of tls_certificate, validation_context, session_ticket_keys, generic_secret is required'] });
    expect(decodeSecret({ name: 's', tls_certificate: { certificate_chain: {} } })).toEqual({
      ok: false,
      errors: [
        'tls_certificate.private_key: is required',
        'tls_certificate.certificate_chain: exactly one of inline_bytes, inline_string, filename, environment_variable is required',
      ],
    });
    expect(decodeSecret({ name: 's', generic_secret: {} })).toEqual({ ok: false, errors: ['generic_secret: is not supported'] });
  });
});
