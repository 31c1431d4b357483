import { createHash } from 'node:crypto';

/**
 * Local physical names, ids and ARNs of resources: what `Ref` and `Fn::GetAtt`
 * return once the stack is "deployed" locally. Names CloudFormation would generate
 * are deterministic here (`<stack>-<logicalId>`, shortened with a hash to fit the
 * service's limit) so that tests and logs can predict them.
 */

export interface Account {
  region: string;
  accountId: string;
  partition: string;
  stackName: string;
  /** Origin of the local SQS endpoint: queue URLs are `<origin>/<account>/<name>`. */
  queueUrlBase: string;
}

/** What Ref returns and the attributes Fn::GetAtt can read. */
export interface Identity {
  ref: unknown;
  attributes: Record<string, unknown>;
}

/** A short stable id (API Gateway style: lowercase alphanumerics). */
export function stableId(seed: string, length = 10): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const digest = createHash('sha256').update(seed).digest();
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[digest[i]! % alphabet.length];
  return id;
}

/** `<stack>-<logicalId>`, cut to `max` characters with a hash suffix when too long. */
export function generatedName(
  account: Account,
  logicalId: string,
  max: number,
  suffix = '',
): string {
  const full = `${account.stackName}-${logicalId}`;
  const room = max - suffix.length;
  if (full.length <= room) return full + suffix;
  const hash = stableId(full, 8);
  return `${full.slice(0, room - hash.length - 1)}-${hash}${suffix}`;
}

/** Reads a name property that the resolver has already resolved (or undefined). */
export type NameOf = (property: string) => unknown;

function arn(account: Account, service: string, resource: string, region = account.region): string {
  return `arn:${account.partition}:${service}:${region}:${account.accountId}:${resource}`;
}

/** The local identity of a resource of the given type. */
export function identityOf(
  account: Account,
  logicalId: string,
  type: string,
  nameOf: NameOf,
): Identity {
  const named = (property: string, max: number, suffix = ''): string => {
    const value = nameOf(property);
    return typeof value === 'string' && value !== ''
      ? value
      : generatedName(account, logicalId, max, suffix);
  };
  switch (type) {
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable': {
      const name = named('TableName', 255);
      const tableArn = arn(account, 'dynamodb', `table/${name}`);
      return {
        ref: name,
        attributes: {
          Arn: tableArn,
          // DynamoDB Local labels streams with the table's creation time; the
          // stream consumer reads the real ARN at start, this stands in for env vars.
          StreamArn: `${tableArn}/stream/1970-01-01T00:00:00.000`,
          TableId: stableId(tableArn, 32),
        },
      };
    }
    case 'AWS::SQS::Queue': {
      const fifo = nameOf('FifoQueue') === true || nameOf('FifoQueue') === 'true';
      const name = named('QueueName', 80, fifo ? '.fifo' : '');
      const queueUrl = `${account.queueUrlBase}/${account.accountId}/${name}`;
      return {
        ref: queueUrl,
        attributes: { Arn: arn(account, 'sqs', name), QueueName: name, QueueUrl: queueUrl },
      };
    }
    case 'AWS::Lambda::Function': {
      const name = named('FunctionName', 64);
      return { ref: name, attributes: { Arn: arn(account, 'lambda', `function:${name}`) } };
    }
    case 'AWS::Lambda::EventSourceMapping': {
      const id = stableId(`${account.stackName}/${logicalId}`, 32);
      return { ref: id, attributes: { Id: id } };
    }
    case 'AWS::Events::EventBus': {
      const name = named('Name', 256);
      return {
        ref: name,
        attributes: { Name: name, Arn: arn(account, 'events', `event-bus/${name}`) },
      };
    }
    case 'AWS::Events::Rule': {
      const name = named('Name', 64);
      const bus = nameOf('EventBusName');
      const busName = typeof bus === 'string' ? (bus.split('/').pop() ?? bus) : 'default';
      const custom = busName !== 'default';
      return {
        ref: custom ? `${busName}|${name}` : name,
        attributes: {
          Arn: arn(account, 'events', custom ? `rule/${busName}/${name}` : `rule/${name}`),
        },
      };
    }
    case 'AWS::StepFunctions::StateMachine': {
      const name = named('StateMachineName', 80);
      const smArn = arn(account, 'states', `stateMachine:${name}`);
      return { ref: smArn, attributes: { Arn: smArn, Name: name, StateMachineRevisionId: '1' } };
    }
    case 'AWS::ApiGateway::RestApi': {
      const id = stableId(`${account.stackName}/${logicalId}`);
      return { ref: id, attributes: { RestApiId: id, RootResourceId: stableId(`${id}/`) } };
    }
    case 'AWS::ApiGateway::Resource': {
      const id = stableId(`${account.stackName}/${logicalId}`, 6);
      return { ref: id, attributes: { ResourceId: id } };
    }
    case 'AWS::ApiGateway::Stage':
      return { ref: named('StageName', 128), attributes: {} };
    case 'AWS::IAM::Role': {
      const name = named('RoleName', 64);
      return {
        ref: name,
        attributes: {
          Arn: `arn:${account.partition}:iam::${account.accountId}:role/${name}`,
          RoleId: `AROA${stableId(name, 17).toUpperCase()}`,
        },
      };
    }
    case 'AWS::Logs::LogGroup': {
      const name = named('LogGroupName', 512);
      return { ref: name, attributes: { Arn: arn(account, 'logs', `log-group:${name}:*`) } };
    }
    case 'AWS::SNS::Topic': {
      const name = named('TopicName', 256);
      const topicArn = arn(account, 'sns', name);
      return { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: name } };
    }
    case 'AWS::S3::Bucket': {
      const name = named('BucketName', 63).toLowerCase();
      return {
        ref: name,
        attributes: {
          Arn: `arn:${account.partition}:s3:::${name}`,
          DomainName: `${name}.s3.amazonaws.com`,
          RegionalDomainName: `${name}.s3.${account.region}.amazonaws.com`,
        },
      };
    }
    case 'AWS::KMS::Key': {
      const id = stableId(`${account.stackName}/${logicalId}`, 32);
      return { ref: id, attributes: { Arn: arn(account, 'kms', `key/${id}`), KeyId: id } };
    }
    default: {
      // Types the local cloud does not run still get stable placeholders, so
      // references to them (say, an alarm ARN in an output) resolve instead of failing.
      const name = generatedName(account, logicalId, 128);
      const service = type.split('::')[1]?.toLowerCase() ?? 'unknown';
      return { ref: name, attributes: { Arn: arn(account, service, name) } };
    }
  }
}
