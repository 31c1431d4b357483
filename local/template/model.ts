import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type {
  EventBusDefinition,
  RuleDefinition,
  StateMachineDefinition,
  TargetDefinition,
} from '../ports.ts';
import type { SynthesizedStack } from './manifest.ts';
import { TemplateResolver } from './resolver.ts';
import type { Account } from './identities.ts';
import { asText } from '../util.ts';
import type { Statement } from '../iam/policy.ts';
import { rolePermissions, type RolePermissions } from './role-policies.ts';
import { gatewayResponsesOf, type GatewayResponseDefinition } from './gateway-responses.ts';

/**
 * The synthesized stack as the local cloud runs it: plain, fully resolved
 * definitions of each resource it emulates, and the list of everything else.
 */
export interface CloudModel {
  account: Account;
  tables: TableDefinition[];
  queues: QueueDefinition[];
  functions: FunctionDefinition[];
  eventSourceMappings: EventSourceMappingDefinition[];
  apis: ApiDefinition[];
  eventBuses: EventBusDefinition[];
  rules: RuleDefinition[];
  stateMachines: StateMachineDefinition[];
  /** Resources not emulated, by type (logical ids), so nothing is dropped silently. */
  notRun: Record<string, string[]>;
  /** Functions that exist but cannot run locally (runtime, packaging), with the reason. */
  unsupportedFunctions: { logicalId: string; reason: string }[];
  /** Stack outputs, resolved (informational). */
  outputs: Record<string, unknown>;
  warnings: string[];
}

export interface TableDefinition {
  logicalId: string;
  name: string;
  arn: string;
  attributeDefinitions: { AttributeName: string; AttributeType: string }[];
  keySchema: { AttributeName: string; KeyType: string }[];
  globalSecondaryIndexes: { IndexName: string; KeySchema: object[]; Projection: object }[];
  localSecondaryIndexes: { IndexName: string; KeySchema: object[]; Projection: object }[];
  /** Stream view type when the table has a stream. */
  streamViewType?: string;
  /** The TTL attribute when time to live is enabled. */
  ttlAttribute?: string;
}

export interface QueueDefinition {
  logicalId: string;
  name: string;
  arn: string;
  url: string;
  fifo: boolean;
  /** SQS attributes as strings, as CreateQueue takes them. */
  attributes: Record<string, string>;
}

export interface FunctionDefinition {
  logicalId: string;
  name: string;
  arn: string;
  /** Directory of the code (the `asset.<hash>` dir of cdk.out). */
  codeDir: string;
  /** `file.export`, e.g. `index.handler`. */
  handler: string;
  runtime: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  reservedConcurrency?: number;
  logGroupName: string;
  architecture: string;
  /** DeadLetterConfig target (SQS) for failed asynchronous invocations. */
  deadLetterArn?: string;
  /** Asynchronous invocation settings (EventInvokeConfig; AWS defaults otherwise). */
  async: { maximumRetryAttempts: number; maximumEventAgeSeconds: number; onFailureArn?: string };
  /**
   * The execution role and what its policies allow, when the template defines it and
   * everything attached to it is known: the endpoint refuses the function's requests
   * outside it. Absent, the function's requests are not checked.
   */
  role?: { arn: string; name: string; statements: Statement[] };
}

export interface EventSourceMappingDefinition {
  logicalId: string;
  uuid: string;
  functionArn: string;
  sourceArn: string;
  kind: 'dynamodb' | 'sqs';
  /** Logical id of the table or queue read. */
  sourceLogicalId?: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  startingPosition?: string;
  /** Parsed filter patterns (any must match). */
  filters: object[];
  bisectBatchOnFunctionError: boolean;
  /** -1 = retry until the record expires (the AWS default). */
  maximumRetryAttempts: number;
  /** -1 = infinite (the AWS default). */
  maximumRecordAgeSeconds: number;
  onFailureArn?: string;
  reportBatchItemFailures: boolean;
  maximumConcurrency?: number;
  parallelizationFactor: number;
  enabled: boolean;
}

export type Integration =
  | { type: 'AWS_PROXY'; functionArn: string }
  | { type: 'MOCK'; statusCode: number; headers: Record<string, string>; body?: string };

export interface RouteDefinition {
  /** The resource path, e.g. `/orders/{id}` or `/{proxy+}`. */
  resourcePath: string;
  /** Upper case, or `ANY`. */
  httpMethod: string;
  integration: Integration;
  authorizationType: string;
  apiKeyRequired: boolean;
}

export interface ApiDefinition {
  logicalId: string;
  restApiId: string;
  name: string;
  stageName: string;
  binaryMediaTypes: string[];
  routes: RouteDefinition[];
  /** How API Gateway's own answers (unknown route, failed integration, ...) are shaped. */
  gatewayResponses: GatewayResponseDefinition[];
}

/** Types the local cloud emulates; everything else is reported as not run. */
const RUN_TYPES = new Set([
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::SQS::Queue',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::GatewayResponse',
  'AWS::Events::EventBus',
  'AWS::Events::Rule',
  'AWS::Events::Archive',
  'AWS::StepFunctions::StateMachine',
]);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown, fallback: number): number => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
};
const bool = (v: unknown): boolean => v === true || v === 'true';
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Reads a synthesized stack into the local cloud's model. */
export function buildModel(
  stack: SynthesizedStack,
  account: Omit<Account, 'stackName'>,
  parameterOverrides: Record<string, string> = {},
): CloudModel {
  const resolver = new TemplateResolver(
    stack.template,
    { ...account, stackName: stack.stackName },
    parameterOverrides,
  );
  const ids = resolver.includedResources();
  const typeOf = (id: string) => resolver.resource(id).Type;
  const byArn = new Map<string, string>();

  const notRun: Record<string, string[]> = {};
  for (const id of ids) {
    const type = typeOf(id);
    if (!RUN_TYPES.has(type)) (notRun[type] ??= []).push(id);
  }

  const tables = ids
    .filter(
      (id) => typeOf(id) === 'AWS::DynamoDB::Table' || typeOf(id) === 'AWS::DynamoDB::GlobalTable',
    )
    .map((id) => tableDefinition(id, resolver));
  const queues = resolver
    .resourcesOfType('AWS::SQS::Queue')
    .map((id) => queueDefinition(id, resolver));
  for (const q of queues) byArn.set(q.arn, q.logicalId);
  for (const t of tables) byArn.set(t.arn, t.logicalId);

  const unsupportedFunctions: CloudModel['unsupportedFunctions'] = [];
  const functions: FunctionDefinition[] = [];
  const roles = rolePermissions(resolver);
  for (const id of resolver.resourcesOfType('AWS::Lambda::Function')) {
    const result = functionDefinition(id, resolver, stack.assemblyDir, roles);
    if ('reason' in result) unsupportedFunctions.push({ logicalId: id, reason: result.reason });
    else functions.push(result);
  }
  applyEventInvokeConfigs(functions, resolver);

  const functionArn = (nameOrArn: unknown): string => {
    const value = String(nameOrArn);
    const fn = functions.find(
      (f) => f.arn === value || f.name === value || value.startsWith(`${f.arn}:`),
    );
    return fn?.arn ?? value;
  };

  const eventSourceMappings = resolver
    .resourcesOfType('AWS::Lambda::EventSourceMapping')
    .flatMap((id) => eventSourceMapping(id, resolver, functionArn, tables, byArn));

  const apis = resolver
    .resourcesOfType('AWS::ApiGateway::RestApi')
    .map((id) => apiDefinition(id, resolver, functionArn));

  const eventBuses = eventBusDefinitions(resolver);
  const rules = ruleDefinitions(resolver, notRun);
  const stateMachines = resolver
    .resourcesOfType('AWS::StepFunctions::StateMachine')
    .map((id) => stateMachineDefinition(id, resolver));

  const outputs: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
    try {
      outputs[name] = resolver.resolve(output.Value);
    } catch (error) {
      resolver.warnings.push(`Output ${name}: ${(error as Error).message}`);
    }
  }

  return {
    account: resolver.account,
    tables,
    queues,
    functions,
    eventSourceMappings,
    apis,
    eventBuses,
    rules,
    stateMachines,
    notRun,
    unsupportedFunctions,
    outputs,
    warnings: resolver.warnings,
  };
}

function tableDefinition(id: string, resolver: TemplateResolver): TableDefinition {
  const p = resolver.properties(id);
  const identity = resolver.identity(id);
  const stream = obj(p.StreamSpecification);
  const ttl = obj(p.TimeToLiveSpecification);
  const indexes = (v: unknown) =>
    list(v).map((i) => {
      const index = obj(i);
      return {
        IndexName: String(index.IndexName),
        KeySchema: list(index.KeySchema) as object[],
        Projection: obj(index.Projection),
      };
    });
  return {
    logicalId: id,
    name: String(identity.ref),
    arn: String(identity.attributes.Arn),
    attributeDefinitions: list(p.AttributeDefinitions) as TableDefinition['attributeDefinitions'],
    keySchema: list(p.KeySchema) as TableDefinition['keySchema'],
    globalSecondaryIndexes: indexes(p.GlobalSecondaryIndexes),
    localSecondaryIndexes: indexes(p.LocalSecondaryIndexes),
    // AWS::DynamoDB::Table has StreamEnabled implied by a view type; GlobalTable the same.
    streamViewType: str(stream.StreamViewType),
    ttlAttribute: ttl.Enabled === false ? undefined : str(ttl.AttributeName),
  };
}

function queueDefinition(id: string, resolver: TemplateResolver): QueueDefinition {
  const p = resolver.properties(id);
  const identity = resolver.identity(id);
  const attributes: Record<string, string> = {};
  const copy: [string, string][] = [
    ['VisibilityTimeout', 'VisibilityTimeout'],
    ['MessageRetentionPeriod', 'MessageRetentionPeriod'],
    ['DelaySeconds', 'DelaySeconds'],
    ['MaximumMessageSize', 'MaximumMessageSize'],
    ['ReceiveMessageWaitTimeSeconds', 'ReceiveMessageWaitTimeSeconds'],
    ['ContentBasedDeduplication', 'ContentBasedDeduplication'],
    ['FifoQueue', 'FifoQueue'],
    ['DeduplicationScope', 'DeduplicationScope'],
    ['FifoThroughputLimit', 'FifoThroughputLimit'],
  ];
  for (const [prop, attr] of copy) if (p[prop] !== undefined) attributes[attr] = asText(p[prop]);
  if (p.RedrivePolicy !== undefined) {
    const policy =
      typeof p.RedrivePolicy === 'string'
        ? (JSON.parse(p.RedrivePolicy) as unknown)
        : p.RedrivePolicy;
    attributes.RedrivePolicy = JSON.stringify(policy);
  }
  return {
    logicalId: id,
    name: String(identity.attributes.QueueName),
    arn: String(identity.attributes.Arn),
    url: String(identity.attributes.QueueUrl),
    fifo: bool(p.FifoQueue),
    attributes,
  };
}

function functionDefinition(
  id: string,
  resolver: TemplateResolver,
  assemblyDir: string,
  roles: ReadonlyMap<string, RolePermissions>,
): FunctionDefinition | { reason: string } {
  const resource = resolver.resource(id);
  const p = resolver.properties(id);
  const runtime = str(p.Runtime) ?? '';
  if (!runtime.startsWith('nodejs')) {
    return {
      reason: `runtime ${runtime || '(container image)'} is not supported locally (Node.js only)`,
    };
  }
  const assetPath = str(resource.Metadata?.['aws:asset:path']);
  const s3Key = str(obj(p.Code).S3Key);
  const codeDir = assetPath
    ? join(assemblyDir, assetPath)
    : s3Key
      ? join(assemblyDir, `asset.${s3Key.replace(/\.zip$/, '')}`)
      : undefined;
  if (!codeDir || !existsSync(codeDir)) {
    return {
      reason: obj(p.Code).ZipFile
        ? 'inline code (ZipFile) is not run locally'
        : 'code asset not found in cdk.out',
    };
  }
  const identity = resolver.identity(id);
  const name = String(identity.ref);
  const environment: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(obj(p.Environment).Variables)))
    environment[k] = String(v);
  const reserved = p.ReservedConcurrentExecutions;
  const deadLetterArn = str(obj(p.DeadLetterConfig).TargetArn);
  const role = checkedRole(roles.get(String(p.Role)), id, resolver);
  return {
    ...(deadLetterArn ? { deadLetterArn } : {}),
    ...(role ? { role } : {}),
    logicalId: id,
    name,
    arn: String(identity.attributes.Arn),
    codeDir,
    handler: str(p.Handler) ?? 'index.handler',
    runtime,
    environment,
    timeoutSeconds: num(p.Timeout, 3),
    memoryMb: num(p.MemorySize, 128),
    reservedConcurrency: reserved === undefined ? undefined : num(reserved, 0),
    logGroupName: str(obj(p.LoggingConfig).LogGroup) ?? `/aws/lambda/${name}`,
    architecture: str(list(p.Architectures)[0]) ?? 'x86_64',
    async: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600 },
  };
}

/**
 * AWS managed policies that only allow what the local cloud does not emulate (logs,
 * X-Ray, network interfaces): a role listing them can still be checked.
 */
const MANAGED_POLICIES_WITHOUT_EMULATED_ACTIONS = new Set([
  'AWSLambdaBasicExecutionRole',
  'AWSLambdaVPCAccessExecutionRole',
  'AWSXRayDaemonWriteAccess',
  'AWSXrayWriteOnlyAccess',
  'CloudWatchLambdaInsightsExecutionRolePolicy',
]);

/**
 * The role to check a function's requests against, or none (with a warning) when
 * the role is not in the template or lists an AWS managed policy whose contents
 * could allow what it asks for.
 */
function checkedRole(
  role: RolePermissions | undefined,
  functionId: string,
  resolver: TemplateResolver,
): FunctionDefinition['role'] {
  if (!role) {
    resolver.warnings.push(
      `${functionId}: its role is not defined in the template; its requests are not checked against IAM`,
    );
    return undefined;
  }
  const unknown = role.unknownManagedPolicies.filter(
    (arn) => !MANAGED_POLICIES_WITHOUT_EMULATED_ACTIONS.has(arn.split('/').pop() ?? ''),
  );
  if (unknown.length > 0) {
    resolver.warnings.push(
      `${functionId}: role ${role.name} has managed policies not known locally (${unknown.join(', ')}); its requests are not checked against IAM`,
    );
    return undefined;
  }
  return { arn: role.arn, name: role.name, statements: role.statements };
}

function applyEventInvokeConfigs(
  functions: FunctionDefinition[],
  resolver: TemplateResolver,
): void {
  for (const id of resolver.resourcesOfType('AWS::Lambda::EventInvokeConfig')) {
    const p = resolver.properties(id);
    const name = String(p.FunctionName);
    const fn = functions.find((f) => f.name === name || f.arn === name);
    if (!fn) continue;
    const onFailure = str(obj(obj(p.DestinationConfig).OnFailure).Destination);
    fn.async = {
      maximumRetryAttempts: num(p.MaximumRetryAttempts, 2),
      maximumEventAgeSeconds: num(p.MaximumEventAgeInSeconds, 21600),
      ...(onFailure ? { onFailureArn: onFailure } : {}),
    };
  }
}

function eventSourceMapping(
  id: string,
  resolver: TemplateResolver,
  functionArn: (v: unknown) => string,
  tables: TableDefinition[],
  byArn: Map<string, string>,
): EventSourceMappingDefinition[] {
  const p = resolver.properties(id);
  const sourceArn = String(p.EventSourceArn);
  const service = sourceArn.split(':')[2];
  if (service !== 'dynamodb' && service !== 'sqs') {
    resolver.warnings.push(
      `${id}: event source ${sourceArn} is not supported locally (DynamoDB streams and SQS only)`,
    );
    return [];
  }
  const kind = service;
  const table =
    kind === 'dynamodb' ? tables.find((t) => sourceArn.startsWith(`${t.arn}/stream/`)) : undefined;
  const filters = list(obj(p.FilterCriteria).Filters).map((f) => {
    const pattern = obj(f).Pattern;
    return (typeof pattern === 'string' ? JSON.parse(pattern) : pattern) as object;
  });
  const onFailure = str(obj(obj(p.DestinationConfig).OnFailure).Destination);
  return [
    {
      logicalId: id,
      uuid: String(resolver.identity(id).ref),
      functionArn: functionArn(p.FunctionName),
      sourceArn,
      kind,
      sourceLogicalId: table?.logicalId ?? byArn.get(sourceArn),
      // AWS defaults: 100 for streams, 10 for SQS.
      batchSize: num(p.BatchSize, kind === 'sqs' ? 10 : 100),
      maximumBatchingWindowSeconds: num(p.MaximumBatchingWindowInSeconds, 0),
      startingPosition: str(p.StartingPosition),
      filters,
      bisectBatchOnFunctionError: bool(p.BisectBatchOnFunctionError),
      maximumRetryAttempts: num(p.MaximumRetryAttempts, -1),
      maximumRecordAgeSeconds: num(p.MaximumRecordAgeInSeconds, -1),
      onFailureArn: onFailure,
      reportBatchItemFailures: list(p.FunctionResponseTypes).includes('ReportBatchItemFailures'),
      maximumConcurrency:
        obj(p.ScalingConfig).MaximumConcurrency === undefined
          ? undefined
          : num(obj(p.ScalingConfig).MaximumConcurrency, 2),
      parallelizationFactor: num(p.ParallelizationFactor, 1),
      enabled: p.Enabled === undefined ? true : bool(p.Enabled),
    },
  ];
}

function apiDefinition(
  id: string,
  resolver: TemplateResolver,
  functionArn: (v: unknown) => string,
): ApiDefinition {
  const p = resolver.properties(id);
  const identity = resolver.identity(id);
  const restApiId = String(identity.ref);
  const rootId = String(identity.attributes.RootResourceId);
  const belongs = (other: string) => resolver.properties(other).RestApiId === restApiId;

  // Resource ids (as Ref resolves them) to full paths, walking up the parents.
  const resources = resolver.resourcesOfType('AWS::ApiGateway::Resource').filter(belongs);
  const byId = new Map(
    resources.map((r) => [String(resolver.identity(r).ref), resolver.properties(r)]),
  );
  const pathOf = (resourceId: string, depth = 0): string => {
    if (resourceId === rootId) return '';
    const r = byId.get(resourceId);
    if (!r || depth > 64) throw new Error(`${id}: unknown API resource ${resourceId}`);
    return `${pathOf(String(r.ParentId), depth + 1)}/${String(r.PathPart)}`;
  };

  const routes: RouteDefinition[] = [];
  for (const methodId of resolver.resourcesOfType('AWS::ApiGateway::Method').filter(belongs)) {
    const m = resolver.properties(methodId);
    const integration = obj(m.Integration);
    const route = {
      resourcePath: pathOf(String(m.ResourceId)) || '/',
      httpMethod: String(m.HttpMethod).toUpperCase(),
      authorizationType: str(m.AuthorizationType) ?? 'NONE',
      apiKeyRequired: bool(m.ApiKeyRequired),
    };
    if (integration.Type === 'AWS_PROXY') {
      const uri = String(integration.Uri);
      const match = /functions\/(.+)\/invocations$/.exec(uri);
      routes.push({
        ...route,
        integration: { type: 'AWS_PROXY', functionArn: functionArn(match?.[1] ?? uri) },
      });
    } else if (integration.Type === 'MOCK') {
      const response = obj(list(integration.IntegrationResponses)[0]);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(obj(response.ResponseParameters))) {
        const header = /^method\.response\.header\.(.+)$/.exec(k)?.[1];
        // Static values are quoted in API Gateway mappings: "'value'".
        if (header && typeof v === 'string') headers[header] = v.replace(/^'(.*)'$/, '$1');
      }
      const template = obj(response.ResponseTemplates)['application/json'];
      routes.push({
        ...route,
        integration: {
          type: 'MOCK',
          statusCode: num(response.StatusCode, 200),
          headers,
          ...(typeof template === 'string' ? { body: template } : {}),
        },
      });
    } else {
      resolver.warnings.push(
        `${methodId}: integration type ${String(integration.Type)} is not supported locally`,
      );
    }
  }

  const stage = resolver
    .resourcesOfType('AWS::ApiGateway::Stage')
    .map((s) => resolver.properties(s))
    .find((s) => s.RestApiId === restApiId);
  const deployment = resolver
    .resourcesOfType('AWS::ApiGateway::Deployment')
    .map((d) => resolver.properties(d))
    .find((d) => d.RestApiId === restApiId);
  return {
    logicalId: id,
    restApiId,
    name: str(p.Name) ?? id,
    stageName: str(stage?.StageName) ?? str(deployment?.StageName) ?? 'prod',
    binaryMediaTypes: list(p.BinaryMediaTypes).map(String),
    routes,
    gatewayResponses: gatewayResponsesOf(restApiId, resolver),
  };
}

function eventBusDefinitions(resolver: TemplateResolver): EventBusDefinition[] {
  const { region, accountId, partition } = resolver.account;
  const buses: EventBusDefinition[] = [
    {
      logicalId: 'default',
      name: 'default',
      arn: `arn:${partition}:events:${region}:${accountId}:event-bus/default`,
      archives: [],
    },
  ];
  for (const id of resolver.resourcesOfType('AWS::Events::EventBus')) {
    const identity = resolver.identity(id);
    buses.push({
      logicalId: id,
      name: String(identity.attributes.Name),
      arn: String(identity.attributes.Arn),
      archives: [],
    });
  }
  for (const id of resolver.resourcesOfType('AWS::Events::Archive')) {
    const p = resolver.properties(id);
    const bus = buses.find((b) => b.arn === p.SourceArn);
    if (!bus) continue;
    bus.archives.push({
      name: str(p.ArchiveName) ?? String(resolver.identity(id).ref),
      ...(obj(p.EventPattern) !== p.EventPattern ? {} : { eventPattern: obj(p.EventPattern) }),
      ...(p.RetentionDays !== undefined ? { retentionDays: num(p.RetentionDays, 0) } : {}),
    });
  }
  return buses;
}

function ruleDefinitions(
  resolver: TemplateResolver,
  notRun: Record<string, string[]>,
): RuleDefinition[] {
  const rules: RuleDefinition[] = [];
  for (const id of resolver.resourcesOfType('AWS::Events::Rule')) {
    const p = resolver.properties(id);
    if (!p.EventPattern) {
      // Scheduled rules have no local scheduler yet: report them rather than drop them.
      (notRun['AWS::Events::Rule (schedule)'] ??= []).push(id);
      continue;
    }
    const busValue = str(p.EventBusName) ?? 'default';
    const ref = String(resolver.identity(id).ref);
    const targets: TargetDefinition[] = list(p.Targets).map((t) => {
      const target = obj(t);
      const transformer = obj(target.InputTransformer);
      const retry = obj(target.RetryPolicy);
      const definition: TargetDefinition = { id: String(target.Id), arn: String(target.Arn) };
      if (typeof target.Input === 'string') definition.input = target.Input;
      if (typeof target.InputPath === 'string') definition.inputPath = target.InputPath;
      if (typeof transformer.InputTemplate === 'string') {
        definition.inputTransformer = {
          inputTemplate: transformer.InputTemplate,
          ...(transformer.InputPathsMap
            ? { inputPathsMap: transformer.InputPathsMap as Record<string, string> }
            : {}),
        };
      }
      const groupId = str(obj(target.SqsParameters).MessageGroupId);
      if (groupId) definition.sqsParameters = { messageGroupId: groupId };
      const dlq = str(obj(target.DeadLetterConfig).Arn);
      if (dlq) definition.deadLetterArn = dlq;
      if (Object.keys(retry).length > 0) {
        definition.retryPolicy = {
          ...(retry.MaximumRetryAttempts !== undefined
            ? { maximumRetryAttempts: num(retry.MaximumRetryAttempts, 185) }
            : {}),
          ...(retry.MaximumEventAgeInSeconds !== undefined
            ? { maximumEventAgeInSeconds: num(retry.MaximumEventAgeInSeconds, 86400) }
            : {}),
        };
      }
      return definition;
    });
    rules.push({
      logicalId: id,
      name: ref.includes('|') ? ref.split('|')[1]! : ref,
      // EventBusName may be a name or an ARN.
      eventBusName: busValue.startsWith('arn:') ? busValue.split('/').pop()! : busValue,
      eventPattern: obj(p.EventPattern),
      state: p.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      targets,
    });
  }
  return rules;
}

function stateMachineDefinition(id: string, resolver: TemplateResolver): StateMachineDefinition {
  const p = resolver.properties(id);
  const identity = resolver.identity(id);
  let text =
    typeof p.DefinitionString === 'string'
      ? p.DefinitionString
      : JSON.stringify(p.Definition ?? {});
  for (const [key, value] of Object.entries(obj(p.DefinitionSubstitutions))) {
    text = text.split(`\${${key}}`).join(String(value));
  }
  return {
    logicalId: id,
    name: String(identity.attributes.Name),
    arn: String(identity.attributes.Arn),
    type: p.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
    definition: JSON.parse(text) as object,
  };
}
