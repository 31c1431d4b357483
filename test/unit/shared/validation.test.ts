import { describe, expect, it } from '@jest/globals';
import * as z from 'zod/mini';
import { expected, fieldPath, toErrorDetails } from '../../../lambdas/shared/validation.ts';

describe('fieldPath', () => {
  it('writes paths as clients write them', () => {
    expect(fieldPath(['items', 0, 'quantity'])).toBe('items[0].quantity');
    expect(fieldPath(['customerId'])).toBe('customerId');
    expect(fieldPath([])).toBe('body');
    expect(fieldPath([], 'query')).toBe('query');
  });
});

describe('toErrorDetails', () => {
  it('names each unknown key as its own field', () => {
    const result = z.safeParse(z.strictObject({ a: z.strictObject({}) }), {
      a: { x: 1 },
      y: 2,
      z: 3,
    });
    expect(result.success).toBe(false);
    expect(toErrorDetails(result.error!.issues)).toEqual(
      expect.arrayContaining([
        { field: 'a.x', message: 'is not a known field' },
        { field: 'y', message: 'is not a known field' },
        { field: 'z', message: 'is not a known field' },
      ]),
    );
  });
});

describe('expected', () => {
  it('says "is required" for a missing value and what is expected otherwise', () => {
    const schema = z.object({ n: z.number(expected('a number')) });
    expect(toErrorDetails(z.safeParse(schema, {}).error!.issues)).toEqual([
      { field: 'n', message: 'is required' },
    ]);
    expect(toErrorDetails(z.safeParse(schema, { n: 'x' }).error!.issues)).toEqual([
      { field: 'n', message: 'must be a number' },
    ]);
  });
});
