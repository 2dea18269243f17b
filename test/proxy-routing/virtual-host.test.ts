/** Virtual host selection: precedence of exact, suffix, prefix and `*` domains, ports, case. */
import { RouteTable, VirtualHostIndex, stripPort } from '../../runtime/proxy/routing';
import { Plain, decode } from './helpers';

const vh = (name: string, domains: string[]): Plain => ({ name, domains, routes: [{ name, match: { prefix: '/' }, route: { cluster: name } }] });

function hosts(...list: Plain[]): RouteTable {
  return RouteTable.compile(decode({ name: 'r', virtual_hosts: list }));
}

describe('virtual host selection', () => {
  const t = hosts(
    vh('any', ['*']),
    vh('prefix-short', ['api.*']),
    vh('prefix-long', ['api.example.*']),
    vh('suffix-short', ['*.com']),
    vh('suffix-long', ['*.example.com']),
    vh('exact', ['www.example.com']),
  );
  const pick = (authority: string) => t.virtualHost(authority)?.name;

  it('prefers exact, then the longest suffix, then the longest prefix, then *', () => {
    expect(pick('www.example.com')).toBe('exact');
    expect(pick('shop.example.com')).toBe('suffix-long');
    expect(pick('shop.other.com')).toBe('suffix-short');
    expect(pick('api.example.org')).toBe('prefix-long');
    expect(pick('api.other.org')).toBe('prefix-short');
    expect(pick('nothing.org')).toBe('any');
  });

  it('prefers a suffix wildcard over a prefix wildcard that also matches', () => {
    expect(pick('api.example.com')).toBe('suffix-long');
  });

  it('is case-insensitive', () => {
    expect(pick('WWW.Example.COM')).toBe('exact');
    expect(pick('Shop.EXAMPLE.com')).toBe('suffix-long');
  });

  it('never lets a wildcard match an empty part', () => {
    const only = hosts(vh('suffix', ['*.example.com']), vh('prefix', ['api.*']));
    expect(only.virtualHost('.example.com')).toBeUndefined();
    expect(only.virtualHost('api.')).toBeUndefined();
    expect(only.virtualHost('x.example.com')?.name).toBe('suffix');
  });

  it('matches a host with port against the same port, or the domain without port', () => {
    const p = hosts(vh('with-port', ['reviews:9080']), vh('bare', ['ratings']), vh('both', ['details', 'details:9080']), vh('wild', ['*.svc:9080']));
    expect(p.virtualHost('reviews:9080')?.name).toBe('with-port');
    expect(p.virtualHost('reviews')).toBeUndefined();
    expect(p.virtualHost('reviews:8080')).toBeUndefined();
    expect(p.virtualHost('ratings:9080')?.name).toBe('bare');
    expect(p.virtualHost('details:9080')?.name).toBe('both');
    expect(p.virtualHost('details')?.name).toBe('both');
    expect(p.virtualHost('a.svc:9080')?.name).toBe('wild');
    expect(p.virtualHost('a.svc:8080')).toBeUndefined();
  });

  it('drops the port first with ignore_port_in_host_matching', () => {
    const p = RouteTable.compile(decode({ name: 'r', ignore_port_in_host_matching: true, virtual_hosts: [vh('bare', ['ratings']), vh('with-port', ['reviews:9080'])] }));
    expect(p.virtualHost('ratings:1234')?.name).toBe('bare');
    expect(p.virtualHost('reviews:9080')).toBeUndefined();
  });

  it('answers 404 NR when no virtual host matches, and an empty authority only reaches *', () => {
    const p = hosts(vh('exact', ['a.com']));
    expect(p.route({ method: 'GET', path: '/', authority: 'b.com', sourceIp: '', header: () => undefined, headerValues: () => [] }))
      .toEqual({ kind: 'noRoute', status: 404, responseFlag: 'NR' });
    expect(t.virtualHost('')?.name).toBe('any');
  });

  it('keeps answering the same after the lookup cache fills', () => {
    const idx = new VirtualHostIndex([{ patterns: [{ kind: 'suffix', value: '.x' }], target: 'x' }]);
    let misses = 0;
    for (let i = 0; i < 5000; i++) if (idx.find(`h${i}.x`) !== 'x') misses++;
    expect(misses).toBe(0);
    expect(idx.find('nope')).toBeUndefined();
    expect(idx.find('nope')).toBeUndefined();
  });
});

describe('stripPort', () => {
  it.each([
    ['a.com:80', 'a.com'], ['a.com', 'a.com'], ['[::1]:8080', '[::1]'], ['[::1]', '[::1]'], ['::1', '::1'], ['a.com:x', 'a.com:x'],
  ])('%s → %s', (input, out) => expect(stripPort(input)).toBe(out));
});
