import { describe, expect, it } from '@jest/globals';
import { notificationsConsumerEnv } from '../../../lambdas/notifications/env.ts';
import { loadEnv } from '../../../lambdas/shared/env.ts';

describe('notificationsConsumerEnv', () => {
  it('defaults the provider failure rate to 0', () => {
    expect(
      loadEnv(notificationsConsumerEnv, { TABLE_NAME: 't', QUEUE_URL: 'https://q.test/1/q' }),
    ).toEqual({
      TABLE_NAME: 't',
      PROVIDER_FAILURE_RATE: 0,
      QUEUE_URL: 'https://q.test/1/q',
    });
  });

  it('reads a failure rate between 0 and 1 and refuses anything else', () => {
    expect(
      loadEnv(notificationsConsumerEnv, {
        TABLE_NAME: 't',
        QUEUE_URL: 'https://q.test/1/q',
        PROVIDER_FAILURE_RATE: '0.25',
      }).PROVIDER_FAILURE_RATE,
    ).toBe(0.25);
    for (const bad of ['1.5', '-0.1', 'often']) {
      expect(() =>
        loadEnv(notificationsConsumerEnv, {
          TABLE_NAME: 't',
          QUEUE_URL: 'https://q.test/1/q',
          PROVIDER_FAILURE_RATE: bad,
        }),
      ).toThrow('PROVIDER_FAILURE_RATE');
    }
  });
});
