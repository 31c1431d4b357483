import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildModel, type CloudModel } from '../../../local/template/model.ts';
import { listStacks, selectStack, type CfnTemplate } from '../../../local/template/manifest.ts';
import { generatedName } from '../../../local/template/identities.ts';

const ACCOUNT = {
  region: 'us-east-1',
  accountId: '000000000000',
  partition: 'aws',
  queueUrlBase: 'http://127.0.0.1:4566',
};

const template: CfnTemplate = {
  Parameters: { Stage: { Type: 'String', Default: 'dev' } },
  Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
  Resources: {
    Dlq: { Type: 'AWS::SQS::Queue' },
    Work: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        VisibilityTimeout: 30,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] },
          maxReceiveCount: 3,
        },
      },
    },
    Ordered: {
      Type: 'AWS::SQS::Queue',
      Properties: { FifoQueue: true, QueueName: { 'Fn::Sub': '${Stage}-ordered.fifo' } },
    },
    ProdOnly: { Type: 'AWS::SQS::Queue', Condition: 'IsProd' },
    Orders: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    },
    Fn: {
      Type: 'AWS::Lambda::Function',
      Metadata: { 'aws:asset:path': 'asset.abc' },
      Properties: {
        Runtime: 'nodejs24.x',
        Handler: 'index.handler',
        Code: { S3Bucket: { 'Fn::Sub': 'cdk-${AWS::AccountId}' }, S3Key: 'abc.zip' },
        Timeout: 7,
        ReservedConcurrentExecutions: 2,
        Environment: {
          Variables: {
            QUEUE_URL: { Ref: 'Work' },
            TABLE: { Ref: 'Orders' },
            STAGE: { Ref: 'Stage' },
          },
        },
      },
    },
    PyFn: {
      Type: 'AWS::Lambda::Function',
      Properties: { Runtime: 'python3.12', Handler: 'x.y', Code: { ZipFile: 'x' } },
    },
    Mapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Fn' },
        EventSourceArn: { 'Fn::GetAtt': ['Orders', 'StreamArn'] },
        StartingPosition: 'LATEST',
        FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT"]}' }] },
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 3,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Dlq', 'Arn'] } } },
      },
    },
    QueueMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Fn' },
        EventSourceArn: { 'Fn::GetAtt': ['Work', 'Arn'] },
        ScalingConfig: { MaximumConcurrency: 2 },
      },
    },
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'api' } },
    OrdersResource: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: {
        RestApiId: { Ref: 'Api' },
        ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
        PathPart: 'orders',
      },
    },
    OrderResource: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: {
        RestApiId: { Ref: 'Api' },
        ParentId: { Ref: 'OrdersResource' },
        PathPart: '{id}',
      },
    },
    GetOrder: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        RestApiId: { Ref: 'Api' },
        ResourceId: { Ref: 'OrderResource' },
        HttpMethod: 'GET',
        AuthorizationType: 'NONE',
        Integration: {
          Type: 'AWS_PROXY',
          Uri: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':apigateway:',
                { Ref: 'AWS::Region' },
                ':lambda:path/2015-03-31/functions/',
                { 'Fn::GetAtt': ['Fn', 'Arn'] },
                '/invocations',
              ],
            ],
          },
        },
      },
    },
    Stage: {
      Type: 'AWS::ApiGateway::Stage',
      Properties: { RestApiId: { Ref: 'Api' }, StageName: 'v1' },
    },
    NotFound: {
      Type: 'AWS::ApiGateway::GatewayResponse',
      Properties: {
        RestApiId: { Ref: 'Api' },
        ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
        StatusCode: '404',
        ResponseParameters: {
          'gatewayresponse.header.Cache-Control': "'no-store'",
          'gatewayresponse.header.X-Echo': 'method.request.header.X-Echo',
        },
        ResponseTemplates: { 'application/json': '{"code":"$context.error.responseType"}' },
      },
    },
    Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'saga' } },
    Rule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        EventBusName: { Ref: 'Bus' },
        EventPattern: { source: ['shop'] },
        State: 'ENABLED',
        Targets: [{ Id: 'T1', Arn: { 'Fn::GetAtt': ['Work', 'Arn'] }, InputPath: '$.detail' }],
      },
    },
    Nightly: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 day)' } },
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        DefinitionString: {
          'Fn::Join': [
            '',
            [
              '{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"',
              { 'Fn::GetAtt': ['Fn', 'Arn'] },
              '","Next":"Wait"},"Wait":{"Type":"Wait","Seconds":${Seconds},"End":true}}}',
            ],
          ],
        },
        DefinitionSubstitutions: { Seconds: 5 },
      },
    },
    Role: { Type: 'AWS::IAM::Role' },
    Alarm: { Type: 'AWS::CloudWatch::Alarm' },
  },
};

let dir: string;
let model: CloudModel;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'model-test-'));
  mkdirSync(join(dir, 'asset.abc'));
  writeFileSync(join(dir, 'Stack.template.json'), JSON.stringify(template));
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      artifacts: {
        Stack: {
          type: 'aws:cloudformation:stack',
          properties: { templateFile: 'Stack.template.json', stackName: 'Stack' },
        },
        Tree: { type: 'cdk:tree' },
      },
    }),
  );
  model = buildModel(selectStack(dir), ACCOUNT);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('manifest', () => {
  it('finds the stacks of a cloud assembly and selects by name or the only one', () => {
    expect(listStacks(dir).map((s) => s.stackName)).toEqual(['Stack']);
    expect(selectStack(dir, 'Stack').template).toEqual(template);
    expect(() => selectStack(dir, 'Other')).toThrow('Stack "Other" not found');
  });
});

describe('buildModel', () => {
  it('names queues like CloudFormation would, deterministically, with URLs on the local endpoint', () => {
    const work = model.queues.find((q) => q.logicalId === 'Work')!;
    expect(work).toMatchObject({
      name: 'Stack-Work',
      arn: 'arn:aws:sqs:us-east-1:000000000000:Stack-Work',
      url: 'http://127.0.0.1:4566/000000000000/Stack-Work',
      attributes: {
        VisibilityTimeout: '30',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:Stack-Dlq',
          maxReceiveCount: 3,
        }),
      },
    });
    expect(model.queues.find((q) => q.logicalId === 'Ordered')).toMatchObject({
      name: 'dev-ordered.fifo',
      fifo: true,
    });
  });

  it('skips resources whose condition is false', () => {
    expect(model.queues.map((q) => q.logicalId)).not.toContain('ProdOnly');
  });

  it('reads tables with their stream and TTL', () => {
    expect(model.tables).toEqual([
      expect.objectContaining({
        name: 'Stack-Orders',
        streamViewType: 'NEW_IMAGE',
        ttlAttribute: 'expiresAt',
      }),
    ]);
  });

  it('resolves function settings and environment variables to local values', () => {
    const fn = model.functions.find((f) => f.logicalId === 'Fn')!;
    expect(fn).toMatchObject({
      name: 'Stack-Fn',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Fn',
      codeDir: join(dir, 'asset.abc'),
      handler: 'index.handler',
      timeoutSeconds: 7,
      memoryMb: 128,
      reservedConcurrency: 2,
      logGroupName: '/aws/lambda/Stack-Fn',
      environment: {
        QUEUE_URL: 'http://127.0.0.1:4566/000000000000/Stack-Work',
        TABLE: 'Stack-Orders',
        STAGE: 'dev',
      },
    });
  });

  it('reports functions it cannot run with the reason', () => {
    expect(model.unsupportedFunctions).toEqual([
      { logicalId: 'PyFn', reason: expect.stringContaining('python3.12') },
    ]);
  });

  it('reads event source mappings with AWS defaults for what the template leaves out', () => {
    expect(model.eventSourceMappings.find((m) => m.logicalId === 'Mapping')).toMatchObject({
      kind: 'dynamodb',
      sourceLogicalId: 'Orders',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Fn',
      batchSize: 100,
      startingPosition: 'LATEST',
      filters: [{ eventName: ['INSERT'] }],
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 3,
      maximumRecordAgeSeconds: -1,
      reportBatchItemFailures: true,
      onFailureArn: 'arn:aws:sqs:us-east-1:000000000000:Stack-Dlq',
    });
    expect(model.eventSourceMappings.find((m) => m.logicalId === 'QueueMapping')).toMatchObject({
      kind: 'sqs',
      sourceLogicalId: 'Work',
      batchSize: 10,
      maximumConcurrency: 2,
      reportBatchItemFailures: false,
    });
  });

  it('builds API routes from the resource tree, with the stage and the integrated function', () => {
    expect(model.apis).toHaveLength(1);
    expect(model.apis[0]).toMatchObject({
      stageName: 'v1',
      routes: [
        {
          resourcePath: '/orders/{id}',
          httpMethod: 'GET',
          integration: {
            type: 'AWS_PROXY',
            functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Fn',
          },
        },
      ],
    });
  });

  it("reads the API's gateway responses, with their static headers", () => {
    expect(model.apis[0]!.gatewayResponses).toEqual([
      {
        responseType: 'MISSING_AUTHENTICATION_TOKEN',
        statusCode: 404,
        headers: { 'cache-control': 'no-store' },
        templates: { 'application/json': '{"code":"$context.error.responseType"}' },
      },
    ]);
    expect(model.notRun['AWS::ApiGateway::GatewayResponse']).toBeUndefined();
    expect(model.warnings).toContain(
      'NotFound: response parameter gatewayresponse.header.X-Echo is not applied locally',
    );
  });

  it('reads buses (with the default bus), rules with targets, and reports scheduled rules as not run', () => {
    expect(model.eventBuses.map((b) => b.name)).toEqual(['default', 'saga']);
    expect(model.rules).toEqual([
      {
        logicalId: 'Rule',
        name: 'Stack-Rule',
        eventBusName: 'saga',
        eventPattern: { source: ['shop'] },
        state: 'ENABLED',
        targets: [
          { id: 'T1', arn: 'arn:aws:sqs:us-east-1:000000000000:Stack-Work', inputPath: '$.detail' },
        ],
      },
    ]);
    expect(model.notRun['AWS::Events::Rule (schedule)']).toEqual(['Nightly']);
  });

  it('parses state machine definitions with ARNs and definition substitutions resolved', () => {
    expect(model.stateMachines[0]).toMatchObject({
      name: 'Stack-Machine',
      arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Stack-Machine',
      type: 'STANDARD',
      definition: {
        StartAt: 'Work',
        States: {
          Work: { Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Fn' },
          Wait: { Seconds: 5 },
        },
      },
    });
  });

  it('lists every resource type it does not run, grouped by type', () => {
    expect(model.notRun).toMatchObject({
      'AWS::IAM::Role': ['Role'],
      'AWS::CloudWatch::Alarm': ['Alarm'],
    });
  });
});

describe('generatedName', () => {
  it('shortens long names to the service limit with a stable hash, keeping a required suffix', () => {
    const account = { ...ACCOUNT, stackName: 'AVeryLongStackNameForTesting' };
    const name = generatedName(
      account,
      'AnExtremelyLongLogicalIdThatGoesOnAndOnAndOn12345678',
      64,
      '.fifo',
    );
    expect(name).toHaveLength(64);
    expect(name.endsWith('.fifo')).toBe(true);
    expect(
      generatedName(account, 'AnExtremelyLongLogicalIdThatGoesOnAndOnAndOn12345678', 64, '.fifo'),
    ).toBe(name);
  });
});
