import {
  Host, LeastRequestLoadBalancer, MaglevLoadBalancer, RandomLoadBalancer, RingHashLoadBalancer, RoundRobinLoadBalancer,
  SeededRandom, hashKey,
} from '../../runtime/proxy/cluster';
import { hosts, tally } from './support';

describe('round robin', () => {
  it('rotates over equal-weight hosts exactly', () => {
    const lb = new RoundRobinLoadBalancer(hosts(3), new SeededRandom(1));
    const counts = tally(() => lb.chooseHost(), 300);
    expect([...counts.values()]).toEqual([100, 100, 100]);
    const a = lb.chooseHost(), b = lb.chooseHost(), c = lb.chooseHost(), d = lb.chooseHost();
    expect(new Set([a, b, c]).size).toBe(3);
    expect(d).toBe(a);
  });

  it('gives each weighted host exactly its share per cycle, spread out (smooth)', () => {
    const list = hosts(3, [1, 2, 5]);
    const lb = new RoundRobinLoadBalancer(list, new SeededRandom(1));
    const cycle = Array.from({ length: 8 }, () => lb.chooseHost()?.weight);
    expect(cycle.filter((w) => w === 5)).toHaveLength(5);
    expect(cycle.filter((w) => w === 2)).toHaveLength(2);
    expect(cycle.filter((w) => w === 1)).toHaveLength(1);
    // Smooth: the heavy host never takes more than two picks in a row.
    expect(cycle.join(',')).not.toMatch(/5,5,5/);
    const counts = tally(() => lb.chooseHost(), 800);
    expect(counts.get('10.0.0.1:80')).toBe(100);
    expect(counts.get('10.0.0.2:80')).toBe(200);
    expect(counts.get('10.0.0.3:80')).toBe(500);
  });

  it('returns undefined without hosts', () => {
    expect(new RoundRobinLoadBalancer([], new SeededRandom(1)).chooseHost()).toBeUndefined();
  });
});

describe('least request', () => {
  it('defaults to two choices and prefers the less loaded of the sampled hosts', () => {
    const list = hosts(4);
    list[0].rqActive = 10;
    list[1].rqActive = 10;
    list[2].rqActive = 10;
    const lb = new LeastRequestLoadBalancer(list, new SeededRandom(7));
    expect(lb.choiceCount).toBe(2);
    const counts = tally(() => lb.chooseHost(), 10_000);
    // The idle host wins whenever it is sampled: 1 - (3/4)^2 = 43.75% of picks.
    const idle = (counts.get('10.0.0.4:80') ?? 0) / 10_000;
    expect(idle).toBeGreaterThan(0.41);
    expect(idle).toBeLessThan(0.47);
  });

  it('with as many choices as hosts behaves like full least-request more often', () => {
    const list = hosts(4);
    list.forEach((h, i) => { h.rqActive = i === 2 ? 0 : 5; });
    const lb = new LeastRequestLoadBalancer(list, new SeededRandom(3), { choiceCount: 8 });
    const counts = tally(() => lb.chooseHost(), 1000);
    expect(counts.get('10.0.0.3:80')).toBeGreaterThan(850);
  });

  it('balances by weight / (active + 1) when weights differ', () => {
    const list = hosts(2, [2, 1]);
    const lb = new LeastRequestLoadBalancer(list, new SeededRandom(1));
    let counts = tally(() => lb.chooseHost(), 300);
    expect(counts.get('10.0.0.1:80')).toBe(200);
    list[0].rqActive = 3; // effective weights 0.5 and 1
    counts = tally(() => lb.chooseHost(), 300);
    expect(counts.get('10.0.0.2:80')).toBeGreaterThanOrEqual(199);
    expect(counts.get('10.0.0.2:80')).toBeLessThanOrEqual(201);
  });
});

describe('random', () => {
  it('spreads evenly with a seeded source', () => {
    const lb = new RandomLoadBalancer(hosts(4), new SeededRandom(42));
    for (const n of tally(() => lb.chooseHost(), 20_000).values()) expect(Math.abs(n - 5000)).toBeLessThan(300);
  });

  it('follows weights', () => {
    const lb = new RandomLoadBalancer(hosts(2, [1, 3]), new SeededRandom(42));
    const counts = tally(() => lb.chooseHost(), 20_000);
    expect(Math.abs((counts.get('10.0.0.2:80') ?? 0) - 15_000)).toBeLessThan(400);
  });
});

function keys(n: number): number[] {
  return Array.from({ length: n }, (_, i) => hashKey(`user-${i}`));
}

describe('ring hash', () => {
  it('sizes the ring between the minimum and maximum', () => {
    // Envoy's scale: ceil(min_normalized_weight × min_size) / min_normalized_weight = ceil(1024/3) × 3.
    expect(new RingHashLoadBalancer(hosts(3), new SeededRandom(1)).ringSize).toBe(1026);
    expect(new RingHashLoadBalancer(hosts(4), new SeededRandom(1)).ringSize).toBe(1024);
    expect(new RingHashLoadBalancer(hosts(3), new SeededRandom(1), { minimumRingSize: 64, maximumRingSize: 64 }).ringSize).toBe(64);
    expect(new RingHashLoadBalancer(hosts(3, [1, 1, 2]), new SeededRandom(1), { minimumRingSize: 100 }).ringSize).toBeGreaterThanOrEqual(100);
  });

  it('is sticky: the same hash always picks the same host', () => {
    const lb = new RingHashLoadBalancer(hosts(5), new SeededRandom(1));
    for (const h of keys(200)) expect(lb.chooseHost({ hash: h })).toBe(lb.chooseHost({ hash: h }));
  });

  it('spreads keys roughly evenly and by weight', () => {
    const lb = new RingHashLoadBalancer(hosts(4), new SeededRandom(1));
    const ks = keys(20_000);
    let i = 0;
    for (const n of tally(() => lb.chooseHost({ hash: ks[i++] }), ks.length).values()) expect(Math.abs(n - 5000)).toBeLessThan(1000);
    const weighted = new RingHashLoadBalancer(hosts(2, [1, 3]), new SeededRandom(1));
    i = 0;
    const counts = tally(() => weighted.chooseHost({ hash: ks[i++] }), ks.length);
    expect((counts.get('10.0.0.2:80') ?? 0) / ks.length).toBeGreaterThan(0.65);
  });

  it('moves few keys of the remaining hosts when a host is removed', () => {
    const all = hosts(5);
    const before = new RingHashLoadBalancer(all, new SeededRandom(1));
    const after = new RingHashLoadBalancer(all.filter((h) => h.key !== '10.0.0.3:80'), new SeededRandom(1));
    let moved = 0;
    let removedHostKeys = 0;
    for (const h of keys(5000)) {
      const a = before.chooseHost({ hash: h });
      const b = after.chooseHost({ hash: h });
      if (a?.key === '10.0.0.3:80') removedHostKeys++;
      else if (a !== b) moved++;
    }
    expect(removedHostKeys).toBeGreaterThan(500);
    // Remaining hosts get more ring entries (the ring keeps its size), so a few of their keys
    // move between them; rehashing modulo the host count would move about three quarters.
    expect(moved / (5000 - removedHostKeys)).toBeLessThan(0.15);
  });

  it('falls back to random without a hash', () => {
    const lb = new RingHashLoadBalancer(hosts(3), new SeededRandom(5));
    expect(tally(() => lb.chooseHost(), 300).size).toBe(3);
  });
});

describe('maglev', () => {
  it('fills the table by weight, is sticky, and disrupts little on removal', () => {
    const all = hosts(4);
    const lb = new MaglevLoadBalancer(all, new SeededRandom(1), { tableSize: 65537 });
    const ks = keys(8000);
    let i = 0;
    for (const n of tally(() => lb.chooseHost({ hash: ks[i++] }), ks.length).values()) expect(Math.abs(n - 2000)).toBeLessThan(400);
    for (const h of ks.slice(0, 100)) expect(lb.chooseHost({ hash: h })).toBe(lb.chooseHost({ hash: h }));
    const after = new MaglevLoadBalancer(all.slice(0, 3), new SeededRandom(1), { tableSize: 65537 });
    let moved = 0;
    for (const h of ks) {
      const a = lb.chooseHost({ hash: h }) as Host;
      if (a.key !== '10.0.0.4:80' && after.chooseHost({ hash: h }) !== a) moved++;
    }
    expect(moved / ks.length).toBeLessThan(0.1);
    const weighted = new MaglevLoadBalancer(hosts(2, [1, 3]), new SeededRandom(1), { tableSize: 1009 });
    i = 0;
    const counts = tally(() => weighted.chooseHost({ hash: ks[i++] }), ks.length);
    expect((counts.get('10.0.0.2:80') ?? 0) / ks.length).toBeGreaterThan(0.7);
  });
});
