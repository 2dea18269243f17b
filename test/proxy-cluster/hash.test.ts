import { HashCombiner, computeRequestHash, hashKey, to53, xxh64Hex } from '../../runtime/proxy/cluster';

describe('xxHash64', () => {
  // Reference values (seed 0) cross-checked against the xxHash reference implementation.
  it.each([
    ['', 'ef46db3751d8e999'],
    ['a', 'd24ec4f1a98c6e5b'],
    ['abc', '44bc2cf5ad770999'],
    ['abcdefgh', '3ad351775b4634b7'],
    ['abcdefghijkl', '4b09b7d3a233d4b3'],
    ['10.0.0.1:80_0', '75041381e7371a08'],
    ['x'.repeat(31), '60dd0d01083b99f0'],
    ['y'.repeat(32), '64da1f1d3495ce66'],
    ['z'.repeat(33), 'c5241253c64e0268'],
    ['hello world this is a longer key with ünïcödé 123456789', '388d5a6709a07860'],
    ['q'.repeat(1000), '53c289a550b16c0f'],
  ])('hashes %j', (key, hex) => {
    expect(xxh64Hex(key)).toBe(hex);
  });

  it('keeps the top 53 bits, preserving order', () => {
    expect(hashKey('abc')).toBe(to53(0x44bc2cf5, 0xad770999));
    expect(Number.isSafeInteger(hashKey('q'.repeat(5000)))).toBe(true);
  });
});

describe('computeRequestHash', () => {
  const inputs = {
    header: (n: string) => ({ 'x-user': 'jason' } as Record<string, string>)[n],
    cookie: () => undefined,
    sourceIp: () => '10.1.2.3',
    queryParameter: () => undefined,
  };

  it('is undefined without policies or values', () => {
    expect(computeRequestHash([], inputs)).toBeUndefined();
    expect(computeRequestHash([{ kind: 'cookie', name: 'c', terminal: false }], inputs)).toBeUndefined();
  });

  it('hashes the first value and stops at a terminal policy', () => {
    expect(computeRequestHash([{ kind: 'header', headerName: 'x-user', terminal: true }, { kind: 'sourceIp', terminal: false }], inputs))
      .toBe(hashKey('jason'));
  });

  it('combines several values as rotl(hash, 1) ^ next', () => {
    const both = computeRequestHash([{ kind: 'header', headerName: 'x-user', terminal: false }, { kind: 'sourceIp', terminal: false }], inputs);
    expect(both).toBe(new HashCombiner().add('jason').add('10.1.2.3').result());
    expect(both).not.toBe(hashKey('jason'));
  });
});
