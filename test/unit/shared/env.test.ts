import { describe, expect, it } from '@jest/globals';
import * as z from 'zod/mini';
import { EnvironmentError, loadEnv } from '../../../lambdas/shared/env.ts';
import { orderApiEnv } from '../../../lambdas/orders/api/env.ts';

describe('loadEnv', () => {
  const shape = {
    TABLE_NAME: z.string().check(z.minLength(1)),
    RETRIES: z._default(z.coerce.number().check(z.int()), 3),
  };

  it('returns the parsed, typed values with defaults', () => {
    expect(loadEnv(shape, { TABLE_NAME: 'orders', UNRELATED: 'x' })).toEqual({
      TABLE_NAME: 'orders',
      RETRIES: 3,
    });
    expect(loadEnv(shape, { TABLE_NAME: 'orders', RETRIES: '5' })).toEqual({
      TABLE_NAME: 'orders',
      RETRIES: 5,
    });
  });

  it('names every missing or invalid variable in one error', () => {
    expect(() => loadEnv(shape, { RETRIES: '2.5' })).toThrow(EnvironmentError);
    expect(() => loadEnv(shape, { RETRIES: '2.5' })).toThrow(
      /TABLE_NAME is required; RETRIES="2.5" is invalid/,
    );
  });

  it('reads process.env by default', () => {
    process.env.LOAD_ENV_TEST_VARIABLE = 'from-process';
    expect(loadEnv({ LOAD_ENV_TEST_VARIABLE: z.string() })).toEqual({
      LOAD_ENV_TEST_VARIABLE: 'from-process',
    });
    delete process.env.LOAD_ENV_TEST_VARIABLE;
  });
});

describe('orderApiEnv', () => {
  it('needs TABLE_NAME and defaults the saga timeout to 90 seconds', () => {
    expect(loadEnv(orderApiEnv, { TABLE_NAME: 'orders' })).toEqual({
      TABLE_NAME: 'orders',
      SAGA_TIMEOUT_SECONDS: 90,
    });
    expect(() => loadEnv(orderApiEnv, {})).toThrow('TABLE_NAME is required');
  });

  it('takes the saga timeout as a whole number of seconds', () => {
    expect(
      loadEnv(orderApiEnv, { TABLE_NAME: 't', SAGA_TIMEOUT_SECONDS: '30' }).SAGA_TIMEOUT_SECONDS,
    ).toBe(30);
    for (const bad of ['0', '-5', '1.5', 'soon', '', '100000']) {
      expect(() => loadEnv(orderApiEnv, { TABLE_NAME: 't', SAGA_TIMEOUT_SECONDS: bad })).toThrow(
        'SAGA_TIMEOUT_SECONDS',
      );
    }
  });
});
