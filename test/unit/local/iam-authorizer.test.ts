import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildModel, type FunctionDefinition } from '../../../local/template/model.ts';
import type { CfnTemplate } from '../../../local/template/manifest.ts';
import { functionAccessKeyId, IamAuthorizer } from '../../../local/iam/authorizer.ts';
import { AwsEndpoint } from '../../../local/endpoint/server.ts';
import { Faults } from '../../../local/faults.ts';
import { Counters } from '../../../local/util.ts';
import type { SqsService } from '../../../local/sqs/sqs-service.ts';
import type { LambdaApi } from '../../../local/endpoint/lambda-api.ts';
import { createEventBridge } from '../../../lambdas/shared/aws/event-bridge.ts';
import { createDocumentDb } from '../../../lambdas/shared/aws/document-db.ts';

const ACCOUNT = {
  region: 'us-east-1',
  accountId: '000000000000',
  partition: 'aws',
  queueUrlBase: 'http://127.0.0.1:4566',
};
const BUS_ARN = 'arn:aws:events:us-east-1:000000000000:event-bus/Stack-Bus';
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/Stack-Table';

const lambdaRole = (extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: {
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
        },
      ],
    },
    ...extra,
  },
});

const fn = (role: string) => ({
  Type: 'AWS::Lambda::Function',
  Metadata: { 'aws:asset:path': 'asset.code' },
  Properties: {
    Runtime: 'nodejs24.x',
    Handler: 'index.handler',
    Role: { 'Fn::GetAtt': [role, 'Arn'] },
  },
});

/** A publisher whose grants come from a policy resource and its role's inline policy. */
const template: CfnTemplate = {
  Resources: {
    Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'Stack-Bus' } },
    Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'Stack-Table' } },
    PublisherRole: lambdaRole({
      Policies: [
        {
          PolicyName: 'read',
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Action: 'dynamodb:GetItem',
                Resource: { 'Fn::GetAtt': ['Table', 'Arn'] },
              },
            ],
          },
        },
      ],
    }),
    PublisherPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'publish',
        Roles: [{ Ref: 'PublisherRole' }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'events:PutEvents',
              Resource: { 'Fn::GetAtt': ['Bus', 'Arn'] },
            },
          ],
        },
      },
    },
    Publisher: fn('PublisherRole'),
    BasicRole: lambdaRole({
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    }),
    Basic: fn('BasicRole'),
    PowerRole: lambdaRole({
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess'],
    }),
    Power: fn('PowerRole'),
  },
};

let dir: string;
let functions: FunctionDefinition[];
let warnings: string[];
const byId = (id: string) => functions.find((f) => f.logicalId === id)!;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iam-test-'));
  mkdirSync(join(dir, 'asset.code'));
  const model = buildModel(
    { artifactId: 'Stack', stackName: 'Stack', template, assemblyDir: dir },
    ACCOUNT,
  );
  functions = model.functions;
  warnings = model.warnings;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('execution roles in the model', () => {
  it("collects the role's inline policies and the policies attached to it, resolved", () => {
    const role = byId('Publisher').role!;
    expect(role.name).toBe('Stack-PublisherRole');
    expect(role.statements.map((s) => [s.actions, s.resources])).toEqual(
      expect.arrayContaining([
        [['dynamodb:GetItem'], [TABLE_ARN]],
        [['events:PutEvents'], [BUS_ARN]],
      ]),
    );
  });

  it('checks a role with only the basic execution policy, and not one with an AWS managed policy it cannot read', () => {
    expect(byId('Basic').role?.statements).toEqual([]);
    expect(byId('Power').role).toBeUndefined();
    expect(warnings).toEqual(
      expect.arrayContaining([expect.stringContaining('AmazonDynamoDBFullAccess')]),
    );
  });
});

describe('IamAuthorizer', () => {
  const request = (accessKeyId: string | undefined, operation: string, body: unknown) => ({
    service: 'dynamodb' as const,
    operation,
    body: Buffer.from(JSON.stringify(body)),
    contentType: 'application/x-amz-json-1.0',
    accessKeyId,
  });

  it('refuses a function what its role does not allow, naming role, action and resource as AWS does', () => {
    const authorizer = new IamAuthorizer(ACCOUNT, functions);
    const key = functionAccessKeyId(byId('Publisher').arn);
    expect(authorizer.check(request(key, 'GetItem', { TableName: 'Stack-Table' }))).toBeUndefined();
    const denial = authorizer.check(request(key, 'PutItem', { TableName: 'Stack-Table' }));
    expect(denial?.message).toBe(
      `User: arn:aws:sts::000000000000:assumed-role/Stack-PublisherRole/${byId('Publisher').name} is not authorized to perform: dynamodb:PutItem on resource: ${TABLE_ARN} because no identity-based policy allows the dynamodb:PutItem action`,
    );
  });

  it('leaves other callers, and functions whose role it cannot read, unchecked', () => {
    const authorizer = new IamAuthorizer(ACCOUNT, functions);
    const scan = { TableName: 'Stack-Table' };
    expect(authorizer.check(request('test', 'Scan', scan))).toBeUndefined();
    expect(authorizer.check(request(undefined, 'Scan', scan))).toBeUndefined();
    expect(
      authorizer.check(request(functionAccessKeyId(byId('Power').arn), 'Scan', scan)),
    ).toBeUndefined();
    expect(
      authorizer.check(request(functionAccessKeyId(byId('Basic').arn), 'Scan', scan)),
    ).toBeDefined();
  });
});

describe('the endpoint with the authorizer', () => {
  let endpoint: AwsEndpoint;
  const counters = new Counters();
  const published: unknown[] = [];

  beforeAll(async () => {
    endpoint = new AwsEndpoint({
      region: ACCOUNT.region,
      faults: new Faults({}),
      counters,
      log: () => undefined,
    });
    await endpoint.listen(0);
    endpoint.attach({
      // Nothing listens there: a request that got past the check would fail to connect.
      dynamoDbEndpoint: 'http://127.0.0.1:9',
      tables: [],
      sqs: {} as SqsService,
      lambda: {} as LambdaApi,
      events: {
        handleApiRequest: (_action, body) => {
          published.push(body);
          return Promise.resolve({ statusCode: 200, body: { FailedEntryCount: 0, Entries: [] } });
        },
      },
      authorizer: new IamAuthorizer(ACCOUNT, functions),
    });
  });

  afterAll(() => endpoint.close());

  const envOf = (logicalId: string) => ({
    AWS_ENDPOINT_URL: endpoint.url,
    AWS_REGION: ACCOUNT.region,
    AWS_ACCESS_KEY_ID: functionAccessKeyId(byId(logicalId).arn),
    AWS_SECRET_ACCESS_KEY: 'test',
  });

  it("passes a function's allowed call on to the service", async () => {
    const events = createEventBridge({ env: envOf('Publisher') });
    await events.putEvents({ Entries: [{ EventBusName: 'Stack-Bus', Detail: '{}' }] });
    expect(published).toHaveLength(1);
  });

  it('answers AccessDeniedException, which the client does not retry, before the service sees it', async () => {
    const denied = counters.get('iam.denied');
    const events = createEventBridge({ env: envOf('Basic') });
    await expect(
      events.putEvents({ Entries: [{ EventBusName: 'Stack-Bus', Detail: '{}' }] }),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('is not authorized to perform: events:PutEvents'),
    });
    const db = createDocumentDb({ env: envOf('Publisher') });
    await expect(db.put({ TableName: 'Stack-Table', Item: { pk: 'a' } })).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(published).toHaveLength(1);
    // One refusal per call: an access error is not retried.
    expect(counters.get('iam.denied') - denied).toBe(2);
  });
});
