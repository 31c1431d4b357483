import { describe, expect, it } from '@jest/globals';
import { resolveEndpoint } from '../../../../lambdas/shared/aws/endpoint.ts';

describe('resolveEndpoint', () => {
  it('uses the service-specific endpoint setting first', () => {
    const endpoint = resolveEndpoint('dynamodb', {
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://localhost:8000',
      AWS_ENDPOINT_URL: 'http://localhost:4566',
    });
    expect(endpoint.url.href).toBe('http://localhost:8000/');
    expect(endpoint).toMatchObject({ region: 'eu-west-1', signingName: 'dynamodb' });
  });

  it('falls back to the global endpoint setting', () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' };
    expect(resolveEndpoint('eventbridge', env).url.href).toBe('http://127.0.0.1:4566/');
    expect(resolveEndpoint('sfn', env).url.href).toBe('http://127.0.0.1:4566/');
  });

  it.each([
    ['dynamodb', 'https://dynamodb.eu-west-1.amazonaws.com/', 'dynamodb'],
    ['eventbridge', 'https://events.eu-west-1.amazonaws.com/', 'events'],
    ['sfn', 'https://states.eu-west-1.amazonaws.com/', 'states'],
    ['sqs', 'https://sqs.eu-west-1.amazonaws.com/', 'sqs'],
  ] as const)('defaults %s to its regional AWS endpoint, signed as %s', (service, url, name) => {
    const endpoint = resolveEndpoint(service, { AWS_REGION: 'eu-west-1' });
    expect(endpoint.url.href).toBe(url);
    expect(endpoint.signingName).toBe(name);
  });

  it('reads each service its own setting', () => {
    const env = {
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_SFN: 'http://sfn.local:1',
      AWS_ENDPOINT_URL_SQS: 'http://sqs.local:2',
      AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://events.local:3',
    };
    expect(resolveEndpoint('sfn', env).url.host).toBe('sfn.local:1');
    expect(resolveEndpoint('sqs', env).url.host).toBe('sqs.local:2');
    expect(resolveEndpoint('eventbridge', env).url.host).toBe('events.local:3');
    expect(resolveEndpoint('dynamodb', env).url.host).toBe('dynamodb.us-east-1.amazonaws.com');
  });

  it('ignores the configured endpoints when told to', () => {
    const endpoint = resolveEndpoint('sqs', {
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://localhost:4566',
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
    });
    expect(endpoint.url.host).toBe('sqs.eu-west-1.amazonaws.com');
  });

  it('uses the China partition for China regions', () => {
    expect(resolveEndpoint('dynamodb', { AWS_REGION: 'cn-north-1' }).url.host).toBe(
      'dynamodb.cn-north-1.amazonaws.com.cn',
    );
  });

  it('fails clearly without a region', () => {
    expect(() => resolveEndpoint('dynamodb', {})).toThrow('set AWS_REGION');
  });

  it('fails clearly on an invalid endpoint URL', () => {
    expect(() =>
      resolveEndpoint('dynamodb', { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'not a url' }),
    ).toThrow('Invalid endpoint URL for dynamodb: not a url');
  });
});
