import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalHash, canonicalJson } from '../../../lambdas/shared/canonical-hash.ts';

describe('canonicalJson', () => {
  it('sorts object keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,1]},"b":1}',
    );
  });

  it('drops undefined members', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});

describe('canonicalHash', () => {
  it('is the same for the same value whatever the key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalHash(reversed)).toBe(canonicalHash(value));
      }),
    );
  });

  it('differs when a value differs', () => {
    expect(canonicalHash({ items: [1, 2] })).not.toBe(canonicalHash({ items: [2, 1] }));
    expect(canonicalHash({ quantity: 1 })).not.toBe(canonicalHash({ quantity: '1' }));
    expect(canonicalHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });
});
