import { describe, expect, it } from '@jest/globals';
import { credentialsFromEnv } from '../../../../lambdas/shared/aws/credentials.ts';

describe('credentialsFromEnv', () => {
  it('reads the temporary credentials Lambda gives a function', () => {
    expect(
      credentialsFromEnv({
        AWS_ACCESS_KEY_ID: 'ASIA1',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token',
      }),
    ).toEqual({ accessKeyId: 'ASIA1', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('reads long-term credentials without a session token', () => {
    expect(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's' })).toEqual({
      accessKeyId: 'AKIA1',
      secretAccessKey: 's',
    });
  });

  it('reads the environment on every call, so rotated credentials are used at once', () => {
    const env: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: 'old', AWS_SECRET_ACCESS_KEY: 's1' };
    expect(credentialsFromEnv(env).accessKeyId).toBe('old');
    env.AWS_ACCESS_KEY_ID = 'new';
    env.AWS_SECRET_ACCESS_KEY = 's2';
    expect(credentialsFromEnv(env)).toEqual({ accessKeyId: 'new', secretAccessKey: 's2' });
  });

  it.each([
    [{ AWS_SECRET_ACCESS_KEY: 's' }],
    [{ AWS_ACCESS_KEY_ID: 'a' }],
    [{ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: 's' }],
  ])('fails naming the variables to set when one is missing (%j)', (env) => {
    expect(() => credentialsFromEnv(env)).toThrow(
      'No AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  });
});
