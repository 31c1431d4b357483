import { describe, expect, it } from '@jest/globals';
import {
  fromDynamoDbLocalArns,
  toDynamoDbLocalArns,
} from '../../../local/endpoint/dynamodb-arns.ts';

const local = 'arn:aws:dynamodb:ddblocal:000000000000:table/Orders/stream/2026-11-23T10:00:00.000';
const emulated =
  'arn:aws:dynamodb:us-east-1:000000000000:table/Orders/stream/2026-11-23T10:00:00.000';

describe('DynamoDB Local ARN translation', () => {
  it('turns an emulated-region ARN in a request into the one DynamoDB Local knows', () => {
    expect(toDynamoDbLocalArns(JSON.stringify({ StreamArn: emulated }), 'us-east-1')).toBe(
      JSON.stringify({ StreamArn: local }),
    );
  });

  it('shows DynamoDB Local ARNs in answers in the emulated region, everywhere they occur', () => {
    const answer = JSON.stringify({ Table: { TableArn: local, LatestStreamArn: local } });
    expect(fromDynamoDbLocalArns(answer, 'us-east-1')).toBe(
      JSON.stringify({ Table: { TableArn: emulated, LatestStreamArn: emulated } }),
    );
  });

  it('leaves other text, such as item values, alone', () => {
    const body = JSON.stringify({ Item: { note: { S: 'ddblocal is a region name' } } });
    expect(toDynamoDbLocalArns(body, 'us-east-1')).toBe(body);
    expect(fromDynamoDbLocalArns(body, 'us-east-1')).toBe(body);
  });
});
