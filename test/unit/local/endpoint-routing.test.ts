import { describe, expect, it } from '@jest/globals';
import {
  accessKeyIdOf,
  credentialScopeService,
  routeRequest,
  tablesOf,
  targetAction,
} from '../../../local/endpoint/routing.ts';
import { interpretBatchResponse } from '../../../local/esm/batch-response.ts';
import { failed, succeeded } from './fakes.ts';

const auth = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=abc`;

describe('routeRequest', () => {
  it('routes by the SigV4 credential scope service', () => {
    for (const service of ['dynamodb', 'sqs', 'events', 'states', 'lambda'] as const) {
      expect(routeRequest({ url: '/', authorization: auth(service) })).toEqual({ service });
    }
  });

  it('reads the credential scope of a presigned URL', () => {
    expect(
      credentialScopeService(
        undefined,
        '/?X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fsqs%2Faws4_request',
      ),
    ).toBe('sqs');
  });

  it('reads who signed, from the header or a presigned URL, and nothing from an unsigned request', () => {
    expect(accessKeyIdOf(auth('dynamodb'), '/')).toBe('AKID');
    expect(
      accessKeyIdOf(
        undefined,
        '/?X-Amz-Credential=ASIAKEY%2F20240101%2Fus-east-1%2Fsqs%2Faws4_request',
      ),
    ).toBe('ASIAKEY');
    expect(accessKeyIdOf(undefined, '/')).toBeUndefined();
  });

  it('falls back to X-Amz-Target, then to the Lambda Invoke path', () => {
    expect(routeRequest({ url: '/', target: 'DynamoDBStreams_20120810.GetRecords' })).toEqual({
      service: 'dynamodb',
    });
    expect(routeRequest({ url: '/', target: 'AmazonSQS.SendMessage' })).toEqual({ service: 'sqs' });
    expect(routeRequest({ url: '/', target: 'AWSEvents.PutEvents' })).toEqual({
      service: 'events',
    });
    expect(routeRequest({ url: '/', target: 'AWSStepFunctions.StartExecution' })).toEqual({
      service: 'states',
    });
    expect(routeRequest({ url: '/2015-03-31/functions/f/invocations' })).toEqual({
      service: 'lambda',
    });
  });

  it('names what it cannot route', () => {
    expect(routeRequest({ url: '/', authorization: auth('s3') })).toEqual({ unknown: 's3' });
  });
});

describe('targetAction', () => {
  it('takes the action from X-Amz-Target', () => {
    expect(targetAction('AWSEvents.PutEvents')).toBe('PutEvents');
    expect(targetAction(undefined)).toBe('');
  });
});

describe('tablesOf', () => {
  it('finds the tables of single-item, batch and transaction requests', () => {
    expect(tablesOf({ TableName: 'A' })).toEqual(['A']);
    expect(tablesOf({ RequestItems: { A: [], B: [] } })).toEqual(['A', 'B']);
    expect(
      tablesOf({
        TransactItems: [{ Put: { TableName: 'A' } }, { ConditionCheck: { TableName: 'C' } }],
      }),
    ).toEqual(['A', 'C']);
    expect(tablesOf('nonsense')).toEqual([]);
  });
});

describe('interpretBatchResponse', () => {
  const ids = ['1', '2', '3'];
  it('fails the batch on a function error', () => {
    expect(interpretBatchResponse(failed(), ids, true).kind).toBe('failure');
  });

  it('ignores the response without ReportBatchItemFailures', () => {
    expect(interpretBatchResponse(succeeded({ batchItemFailures: 'junk' }), ids, false)).toEqual({
      kind: 'success',
    });
  });

  it('treats an empty or null response or failure list as success', () => {
    for (const response of [null, {}, { batchItemFailures: [] }, { batchItemFailures: null }]) {
      expect(interpretBatchResponse(succeeded(response), ids, true)).toEqual({ kind: 'success' });
    }
  });

  it('returns the reported identifiers as a partial failure', () => {
    expect(
      interpretBatchResponse(
        succeeded({ batchItemFailures: [{ itemIdentifier: '2' }] }),
        ids,
        true,
      ),
    ).toEqual({
      kind: 'partial',
      failedIds: new Set(['2']),
    });
  });

  it('fails the whole batch on a malformed response', () => {
    for (const response of [
      'ok',
      [1],
      { batchItemFailures: 'x' },
      { batchItemFailures: [{}] },
      { batchItemFailures: [{ itemIdentifier: '' }] },
      { batchItemFailures: [{ itemIdentifier: 'unknown' }] },
    ]) {
      expect(interpretBatchResponse(succeeded(response), ids, true).kind).toBe('failure');
    }
  });
});
