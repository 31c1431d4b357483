import { describe, expect, it } from '@jest/globals';
import {
  AwsServiceError,
  errorCode,
  isAwsError,
  parseErrorResponse,
} from '../../../../lambdas/shared/aws/errors.ts';

describe('errorCode', () => {
  it('strips the namespace of a __type', () => {
    expect(
      errorCode(undefined, {
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
      }),
    ).toBe('ConditionalCheckFailedException');
  });

  it('prefers the x-amzn-errortype header and strips its ":" suffix', () => {
    expect(
      errorCode(
        'ExecutionAlreadyExists:http://internal.amazon.com/coral/com.amazonaws.swf.service.v2/',
        {
          __type: 'Other',
        },
      ),
    ).toBe('ExecutionAlreadyExists');
  });

  it('reads a body "code" before "__type"', () => {
    expect(errorCode(undefined, { code: 'ThrottlingException', __type: 'Other' })).toBe(
      'ThrottlingException',
    );
  });

  it('reads a plain __type as it is', () => {
    expect(errorCode(undefined, { __type: 'AWS.SimpleQueueService.NonExistentQueue' })).toBe(
      'AWS.SimpleQueueService.NonExistentQueue',
    );
  });

  it('has no code when neither the header nor the body has one', () => {
    expect(errorCode(undefined, { message: 'x' })).toBeUndefined();
  });
});

describe('parseErrorResponse', () => {
  it('names the error by its code and keeps the body fields on it, as the SDK does', () => {
    const reasons = [
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ];
    const error = parseErrorResponse({
      status: 400,
      headers: { 'x-amzn-requestid': 'req-1' },
      body: JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        Message:
          'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]',
        CancellationReasons: reasons,
      }),
    });
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('TransactionCanceledException');
    expect(error.message).toMatch(/^Transaction cancelled/);
    expect((error as unknown as { CancellationReasons: unknown }).CancellationReasons).toEqual(
      reasons,
    );
    expect(error.details).toEqual({ CancellationReasons: reasons });
    expect(error.$fault).toBe('client');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, requestId: 'req-1' });
  });

  it('reads a lower-case "message"', () => {
    const error = parseErrorResponse({
      status: 400,
      headers: {},
      body: '{"__type":"ExecutionDoesNotExist","message":"Execution does not exist"}',
    });
    expect(error.name).toBe('ExecutionDoesNotExist');
    expect(error.message).toBe('Execution does not exist');
  });

  it('calls a body-less server failure InternalFailure, a server fault', () => {
    const error = parseErrorResponse({
      status: 503,
      headers: {},
      body: '<html>Service Unavailable</html>',
    });
    expect(error.name).toBe('InternalFailure');
    expect(error.message).toBe('InternalFailure (HTTP 503)');
    expect(error.$fault).toBe('server');
  });

  it('calls a code-less client failure UnknownError', () => {
    expect(parseErrorResponse({ status: 403, headers: {}, body: '' }).name).toBe('UnknownError');
  });

  it('never lets a body field replace the error own properties', () => {
    const error = parseErrorResponse({
      status: 400,
      headers: {},
      body: '{"__type":"X","message":"m","name":"Y","stack":"s","$fault":"server"}',
    });
    expect(error.name).toBe('X');
    expect(error.$fault).toBe('client');
  });
});

describe('isAwsError', () => {
  it('matches an error by its name, whatever its class', () => {
    const error = Object.assign(new Error('m'), { name: 'ConditionalCheckFailedException' });
    expect(isAwsError(error, 'ConditionalCheckFailedException')).toBe(true);
    expect(isAwsError(error, 'TransactionCanceledException')).toBe(false);
    expect(
      isAwsError({ name: 'ConditionalCheckFailedException' }, 'ConditionalCheckFailedException'),
    ).toBe(false);
  });
});
