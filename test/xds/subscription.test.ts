import { deltaSubscription, sameSubscription, sotwSubscription } from '../../runtime/xds/server/subscription';
import { TypeUrl } from '../../runtime/xds/resource-types';

const EDS = TypeUrl.ClusterLoadAssignment;
const CDS = TypeUrl.Cluster;

describe('state-of-the-world subscriptions', () => {
  it('an ACK repeating the names keeps the subscription the stream holds', () => {
    const first = sotwSubscription(undefined, EDS, { resource_names: ['b', 'a', 'c'] });
    expect(sotwSubscription(first, EDS, { resource_names: ['b', 'a', 'c'] })).toBe(first);
    expect(sotwSubscription(first, EDS, { resource_names: ['a', 'b', 'c'] })).toBe(first);
    expect(sotwSubscription(first, EDS, { resource_names: ['c', 'b', 'a'] })).toBe(first);
  });

  it('streams asking for the same names share one name set', () => {
    const one = sotwSubscription(undefined, EDS, { resource_names: ['x', 'y'] });
    const other = sotwSubscription(undefined, EDS, { resource_names: ['y', 'x', 'y'] });
    expect(other.names).toBe(one.names);
    expect(other.sortedNames).toEqual(['x', 'y']);
  });

  it('sees a changed name list even when its length is unchanged', () => {
    const first = sotwSubscription(undefined, EDS, { resource_names: ['a', 'b'] });
    const repeated = sotwSubscription(first, EDS, { resource_names: ['a', 'a'] });
    expect([...repeated.names]).toEqual(['a']);
    const swapped = sotwSubscription(first, EDS, { resource_names: ['a', 'z'] });
    expect([...swapped.names].sort()).toEqual(['a', 'z']);
    expect(sameSubscription(first, swapped)).toBe(false);
  });

  it('adding or dropping the wildcard changes the subscription', () => {
    const named = sotwSubscription(undefined, EDS, { resource_names: ['a'] });
    const wild = sotwSubscription(named, EDS, { resource_names: ['*', 'a'] });
    expect(wild.wildcard).toBe(true);
    expect([...wild.names]).toEqual(['a']);
    expect(sotwSubscription(wild, EDS, { resource_names: ['a', '*'] })).toBe(wild);
    expect(sotwSubscription(wild, EDS, { resource_names: ['a'] }).wildcard).toBe(false);
  });

  it('keeps the legacy wildcard of CDS while the client sends no names, and leaves it for names', () => {
    const legacy = sotwSubscription(undefined, CDS, { resource_names: [] });
    expect(legacy).toMatchObject({ wildcard: true, legacyWildcard: true });
    expect(sotwSubscription(legacy, CDS, { resource_names: [] })).toBe(legacy);
    const named = sotwSubscription(legacy, CDS, { resource_names: ['c1'] });
    expect(named).toMatchObject({ wildcard: false, legacyWildcard: false });
    expect(sotwSubscription(named, CDS, { resource_names: [] })).toMatchObject({ wildcard: false, legacyWildcard: false });
  });
});

describe('delta subscriptions', () => {
  it('a request without changes keeps the subscription; changes build a shared one', () => {
    const first = deltaSubscription(undefined, EDS, ['a', 'b'], []);
    expect(deltaSubscription(first, EDS, [], [])).toBe(first);
    const less = deltaSubscription(first, EDS, [], ['b']);
    expect([...less.names]).toEqual(['a']);
    expect(deltaSubscription(undefined, EDS, ['a'], []).names).toBe(less.names);
  });
});
