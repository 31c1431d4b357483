import { beforeAll, describe, expect, it } from '@jest/globals';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ordersTableKeys } from '../../lambdas/orders/adapters/orders-table.ts';
import { outboxStreamFilterPattern } from '../../lambdas/shared/outbox.ts';
import { synthStack, SYNTH_TIMEOUT_MS } from './synth.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The logical id of the only resource of a type (fails when there are more or none). */
function onlyId(template: Template, type: string, props?: object): string {
  const ids = Object.keys(template.findResources(type, props ? { Properties: props } : undefined));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/**
 * Every API method as "METHOD /path auth", rebuilt from the resource tree (each
 * resource names its parent), so the test reads like the routes it checks.
 */
function routesOf(template: Template): string[] {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Resources;
  const pathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string }).Ref;
    if (!id) return ''; // Fn::GetAtt RootResourceId
    const resource = resources[id]!.Properties;
    return `${pathOf(resource.ParentId)}/${resource.PathPart as string}`;
  };
  const methods = template.findResources('AWS::ApiGateway::Method') as Resources;
  return Object.values(methods)
    .map(({ Properties: m }) => {
      const httpMethod = m.HttpMethod as string;
      return `${httpMethod} ${pathOf(m.ResourceId) || '/'} ${m.AuthorizationType as string}`;
    })
    .sort();
}

describe('OrderSagaStack', () => {
  let template: Template;
  const settings = { STAGE: 'test', SAGA_TIMEOUT_SECONDS: '42', LOG_LEVEL: 'DEBUG' };

  beforeAll(() => {
    ({ template } = synthStack(settings));
  }, SYNTH_TIMEOUT_MS);

  describe('functions', () => {
    it('runs every function on Node.js 24 on arm64, with JSON logs into its own log group', () => {
      const functions = template.findResources('AWS::Lambda::Function') as Resources;
      expect(Object.keys(functions).length).toBeGreaterThanOrEqual(2);
      const logGroups = template.findResources('AWS::Logs::LogGroup') as Resources;
      for (const { Properties: fn } of Object.values(functions)) {
        expect(fn).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: {
            LogFormat: 'JSON',
            ApplicationLogLevel: 'DEBUG',
            SystemLogLevel: 'DEBUG',
          },
        });
        const logGroupId = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        expect(logGroups[logGroupId]?.Properties.RetentionInDays).toBeGreaterThan(0);
      }
    });

    it('configures Powertools of every function through its environment', () => {
      const functions = template.findResources('AWS::Lambda::Function') as Resources;
      for (const { Properties: fn } of Object.values(functions)) {
        expect(fn.Environment).toMatchObject({
          Variables: {
            POWERTOOLS_SERVICE_NAME: expect.any(String) as unknown,
            POWERTOOLS_METRICS_NAMESPACE: 'OrderSaga/test',
            POWERTOOLS_LOG_LEVEL: 'DEBUG',
            POWERTOOLS_TRACE_ENABLED: 'true',
          },
        });
      }
    });

    it('gives no function the AWSLambdaBasicExecutionRole (which may write to any log group)', () => {
      const roles = template.findResources('AWS::IAM::Role') as Resources;
      for (const { Properties: role } of Object.values(roles)) {
        expect(JSON.stringify(role.ManagedPolicyArns ?? [])).not.toContain('AWSLambdaBasic');
      }
    });

    it('passes the order API function its table and the stage saga timeout', () => {
      const table = onlyId(template, 'AWS::DynamoDB::Table');
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: 'orders',
            TABLE_NAME: { Ref: table },
            SAGA_TIMEOUT_SECONDS: settings.SAGA_TIMEOUT_SECONDS,
          }),
        },
      });
    });

    it('lets the order API function use the orders table and nothing else in DynamoDB', () => {
      const apiFunction = onlyId(template, 'AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'orders' }) },
      });
      const roleId = (
        template.findResources('AWS::Lambda::Function')[apiFunction] as {
          Properties: { Role: { 'Fn::GetAtt': [string] } };
        }
      ).Properties.Role['Fn::GetAtt'][0];
      const table = onlyId(template, 'AWS::DynamoDB::Table');
      const policies = template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: roleId }] },
      }) as Resources;
      const statements = Object.values(policies).flatMap(
        ({ Properties: p }) =>
          (p.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
            .Statement,
      );
      const dynamo = statements.filter((s) =>
        [s.Action].flat().some((a) => a.startsWith('dynamodb:')),
      );
      expect(dynamo.length).toBeGreaterThan(0);
      for (const statement of dynamo) {
        const resources = JSON.stringify(statement.Resource);
        expect(resources).toContain(table);
        expect(resources).not.toMatch(/"\*"/);
      }
      // What a TransactWriteItems of order + outbox item and the order queries need.
      expect(dynamo.flatMap((s) => [s.Action].flat())).toEqual(
        expect.arrayContaining([
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:GetItem',
          'dynamodb:Query',
        ]),
      );
    });
  });

  describe('orders table', () => {
    it('is an on-demand table with pk/sk keys, PITR, TTL and a NEW_IMAGE stream', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: ordersTableKeys.partitionKey, KeyType: 'HASH' },
          { AttributeName: ordersTableKeys.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: {
          AttributeName: ordersTableKeys.timeToLiveAttribute,
          Enabled: true,
        },
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      });
    });

    it('has the customer index the order API queries', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        GlobalSecondaryIndexes: [
          {
            IndexName: ordersTableKeys.byCustomerIndex.name,
            KeySchema: [
              { AttributeName: ordersTableKeys.byCustomerIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: ordersTableKeys.byCustomerIndex.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      });
    });

    it('is deleted with a non-production stack', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      });
    });
  });

  describe('outbox relay', () => {
    it('reads only new outbox items from the table stream', () => {
      const table = onlyId(template, 'AWS::DynamoDB::Table');
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [table, 'StreamArn'] },
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify(outboxStreamFilterPattern) }] },
        StartingPosition: 'TRIM_HORIZON',
      });
    });

    it('reports partial failures, bisects, retries a bounded number of times and sets failures aside', () => {
      const queue = onlyId(template, 'AWS::SQS::Queue');
      const mapping = template.findResources('AWS::Lambda::EventSourceMapping') as Resources;
      const props = Object.values(mapping)[0]!.Properties;
      expect(props).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
      });
      // Bounded: -1 (the service default) would retry until the record expires.
      expect(props.MaximumRetryAttempts).toBeGreaterThanOrEqual(1);
      expect(props.MaximumRetryAttempts).toBeLessThanOrEqual(100);
      expect(props.MaximumRecordAgeInSeconds).toBeGreaterThanOrEqual(60);
      expect(props.MaximumRecordAgeInSeconds).toBeLessThanOrEqual(24 * 3600);
      expect(props.BatchSize).toBeGreaterThanOrEqual(10);
      expect(props.MaximumBatchingWindowInSeconds).toBeDefined();
    });

    it('invokes the relay function, which publishes to the saga bus', () => {
      const bus = onlyId(template, 'AWS::Events::EventBus');
      const relay = onlyId(template, 'AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: { Ref: bus } }) },
      });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: relay },
      });
    });

    it('may put events on the saga bus and no other', () => {
      const bus = onlyId(template, 'AWS::Events::EventBus');
      const policies = template.findResources('AWS::IAM::Policy') as Resources;
      const putEvents = Object.values(policies)
        .flatMap(({ Properties: p }) => (p.PolicyDocument as { Statement: object[] }).Statement)
        .filter((s) => JSON.stringify(s).includes('events:PutEvents'));
      expect(putEvents).toEqual([
        expect.objectContaining({
          Action: 'events:PutEvents',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [bus, 'Arn'] },
        }),
      ]);
    });

    it('sets failures aside in an encrypted, TLS-only queue watched by an alarm', () => {
      const queue = onlyId(template, 'AWS::SQS::Queue');
      template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    });
  });

  describe('event bus', () => {
    it('archives every event of the saga bus for replays', () => {
      const bus = onlyId(template, 'AWS::Events::EventBus');
      template.hasResourceProperties('AWS::Events::Archive', {
        SourceArn: { 'Fn::GetAtt': [bus, 'Arn'] },
        EventPattern: { account: [{ Ref: 'AWS::AccountId' }] },
        RetentionDays: Match.anyValue(),
      });
    });
  });

  describe('API', () => {
    it('serves the order routes with IAM auth, leaving /health open', () => {
      expect(routesOf(template)).toEqual(
        [
          'GET /health NONE',
          'POST /orders AWS_IAM',
          'GET /orders AWS_IAM',
          'GET /orders/{orderId} AWS_IAM',
        ].sort(),
      );
    });

    it('proxies every route to the order API function', () => {
      const apiFunction = onlyId(template, 'AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'orders' }) },
      });
      const methods = template.findResources('AWS::ApiGateway::Method') as Resources;
      for (const { Properties: method } of Object.values(methods)) {
        expect(method.Integration).toMatchObject({
          Type: 'AWS_PROXY',
          IntegrationHttpMethod: 'POST',
        });
        expect(JSON.stringify(method.Integration)).toContain(apiFunction);
      }
    });

    it('logs access, throttles and traces the stage', () => {
      const accessLogs = Object.keys(
        template.findResources('AWS::Logs::LogGroup', {
          Properties: { RetentionInDays: Match.anyValue() },
        }),
      );
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: settings.STAGE,
        TracingEnabled: true,
        AccessLogSetting: {
          DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
          Format: Match.stringLikeRegexp('\\$context\\.requestId'),
        },
        MethodSettings: [
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            ThrottlingRateLimit: Match.anyValue(),
            ThrottlingBurstLimit: Match.anyValue(),
          }),
        ],
      });
      const stage = Object.values(template.findResources('AWS::ApiGateway::Stage') as Resources)[0]!
        .Properties;
      const destination = (stage.AccessLogSetting as { DestinationArn: { 'Fn::GetAtt': [string] } })
        .DestinationArn['Fn::GetAtt'][0];
      expect(accessLogs).toContain(destination);
    });
  });

  it('outputs the API URL, bus name and table name', () => {
    const bus = onlyId(template, 'AWS::Events::EventBus');
    const table = onlyId(template, 'AWS::DynamoDB::Table');
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
    template.hasOutput('EventBusName', { Value: { Ref: bus } });
    template.hasOutput('OrdersTableName', { Value: { Ref: table } });
  });
});

describe('OrderSagaStack with other stage settings', () => {
  let template: Template;

  beforeAll(() => {
    ({ template } = synthStack(
      { STAGE: 'prod', API_AUTH: 'NONE', TRACING: 'false' },
      { bundle: false },
    ));
  }, SYNTH_TIMEOUT_MS);

  it('leaves every route open when the stage chooses API_AUTH=NONE', () => {
    expect(routesOf(template).every((route) => route.endsWith(' NONE'))).toBe(true);
  });

  it('turns tracing off for functions and the API', () => {
    const functions = template.findResources('AWS::Lambda::Function') as Resources;
    for (const { Properties: fn } of Object.values(functions)) {
      expect(fn.TracingConfig).not.toEqual({ Mode: 'Active' });
      expect(fn.Environment).toMatchObject({ Variables: { POWERTOOLS_TRACE_ENABLED: 'false' } });
    }
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('xray:');
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: false });
  });

  it('retains and protects the table of a production stack', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
  });
});
