import { deltaSubscription, sameSubscription, sotwSubscription } from '../../runtime/xds/server/subscription';
import { TypeUrl } from '../../runtime/xds/resource-types';

const EDS = TypeUrl.ClusterLoadAssignment;
const CDS = TypeUrl.Cluster;

describe('state-of-the-world subscriptions', () => {
  it('an ACK repeating the names keeps the subscription the stream holds', () => {
    const first = sotwSubscription(undefined, EDS, ['b', 'a', 'c']);
    expect(sotwSubscription(first, EDS, ['b', 'a', 'c'])).toBe(first);
    expect(sotwSubscription(first, EDS, ['a', 'b', 'c'])).toBe(first);
    expect(sotwSubscription(first, EDS, ['c', 'b', 'a'])).toBe(first);
  });

  it('streams asking for the same names share one name set', () => {
    const one = sotwSubscription(undefined, EDS, ['x', 'y']);
    const other = sotwSubscription(undefined, EDS, ['y', 'x', 'y']);
    expect(other.names).toBe(one.names);
    expect(other.sortedNames).toEqual(['x', 'y']);
  });

  it('sees a changed name list even when its length is unchanged', () => {
    const first = sotwSubscription(undefined, EDS, ['a', 'b']);
    const repeated = sotwSubscription(first, EDS, ['a', 'a']);
    expect([...repeated.names]).toEqual(['a']);
    const swapped = sotwSubscription(first, EDS, ['a', 'z']);
    expect([...swapped.names].sort()).toEqual(['a', 'z']);
    expect(sameSubscription(first, swapped)).toBe(false);
  });

  it('adding or dropping the wildcard changes the subscription', () => {
    const named = sotwSubscription(undefined, EDS, ['a']);
    const wild = sotwSubscription(named, EDS, ['*', 'a']);
    expect(wild.wildcard).toBe(true);
    expect([...wild.names]).toEqual(['a']);
    expect(sotwSubscription(wild, EDS, ['a', '*'])).toBe(wild);
    expect(sotwSubscription(wild, EDS, ['a']).wildcard).toBe(false);
  });

  it('keeps the legacy wildcard of CDS while the client sends no names, and leaves it for names', () => {
    const legacy = sotwSubscription(undefined, CDS, []);
    expect(legacy).toMatchObject({ wildcard: true, legacyWildcard: true });
    expect(sotwSubscription(legacy, CDS, [])).toBe(legacy);
    const named = sotwSubscription(legacy, CDS, ['c1']);
    expect(named).toMatchObject({ wildcard: false, legacyWildcard: false });
    expect(sotwSubscription(named, CDS, [])).toMatchObject({ wildcard: false, legacyWildcard: false });
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
