import type { PutEventsResponse } from '@aws-sdk/client-eventbridge';
import type { EventBusDefinition, RuleDefinition, TargetDefinition } from '../ports.ts';
import { EventBridgeApiError } from './entries.ts';

/**
 * The EventBridge API over the AWS JSON 1.1 protocol (`X-Amz-Target:
 * AWSEvents.<Action>`): the endpoint hands over the action and the parsed body,
 * and gets back a status code and a body in the shapes the SDK expects, errors
 * included (`{ __type, message }`).
 */

/** What the API needs from the bus. */
export interface EventsApiBackend {
  putEvents(entries: unknown): Promise<PutEventsResponse>;
  /** The bus by name or ARN (undefined = default), if it exists. */
  bus(nameOrArn?: string): EventBusDefinition | undefined;
  buses(): EventBusDefinition[];
  /** The rules on a bus, with their ARNs. */
  rules(busName: string): { rule: RuleDefinition; arn: string }[];
}

export interface ApiResponse {
  statusCode: number;
  body: unknown;
}

type Body = Record<string, unknown>;

const error = (type: string, message: string, statusCode = 400): ApiResponse => ({
  statusCode,
  body: { __type: type, message },
});

const optionalString = (body: Body, key: string): string | undefined => {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new EventBridgeApiError('ValidationException', `${key} must be a string`);
  return value;
};

const requiredString = (body: Body, key: string): string => {
  const value = optionalString(body, key);
  if (!value) throw new EventBridgeApiError('ValidationException', `${key} is required`);
  return value;
};

/** Pages a list with the opaque NextToken the API uses (here: the next offset). */
function page<T>(items: T[], body: Body): { items: T[]; NextToken?: string } {
  const limit = typeof body.Limit === 'number' && body.Limit > 0 ? body.Limit : 100;
  const token = optionalString(body, 'NextToken');
  const start = token ? Number.parseInt(token, 10) : 0;
  if (!Number.isInteger(start) || start < 0)
    throw new EventBridgeApiError('ValidationException', 'Invalid NextToken');
  const slice = items.slice(start, start + limit);
  return start + limit < items.length
    ? { items: slice, NextToken: String(start + limit) }
    : { items: slice };
}

function describeRule(rule: RuleDefinition, arn: string) {
  return {
    Name: rule.name,
    Arn: arn,
    EventPattern: JSON.stringify(rule.eventPattern),
    State: rule.state,
    EventBusName: rule.eventBusName,
  };
}

function describeTarget(target: TargetDefinition) {
  return {
    Id: target.id,
    Arn: target.arn,
    ...(target.input !== undefined && { Input: target.input }),
    ...(target.inputPath !== undefined && { InputPath: target.inputPath }),
    ...(target.inputTransformer && {
      InputTransformer: {
        ...(target.inputTransformer.inputPathsMap && {
          InputPathsMap: target.inputTransformer.inputPathsMap,
        }),
        InputTemplate: target.inputTransformer.inputTemplate,
      },
    }),
    ...(target.sqsParameters?.messageGroupId !== undefined && {
      SqsParameters: { MessageGroupId: target.sqsParameters.messageGroupId },
    }),
    ...(target.deadLetterArn !== undefined && { DeadLetterConfig: { Arn: target.deadLetterArn } }),
    ...(target.retryPolicy && {
      RetryPolicy: {
        ...(target.retryPolicy.maximumRetryAttempts !== undefined && {
          MaximumRetryAttempts: target.retryPolicy.maximumRetryAttempts,
        }),
        ...(target.retryPolicy.maximumEventAgeInSeconds !== undefined && {
          MaximumEventAgeInSeconds: target.retryPolicy.maximumEventAgeInSeconds,
        }),
      },
    }),
  };
}

function busOrThrow(backend: EventsApiBackend, nameOrArn: string | undefined): EventBusDefinition {
  const bus = backend.bus(nameOrArn);
  if (!bus)
    throw new EventBridgeApiError(
      'ResourceNotFoundException',
      `Event bus ${nameOrArn ?? 'default'} does not exist.`,
    );
  return bus;
}

function ruleOrThrow(backend: EventsApiBackend, body: Body, nameKey: string) {
  const name = requiredString(body, nameKey);
  const bus = busOrThrow(backend, optionalString(body, 'EventBusName'));
  const found = backend.rules(bus.name).find((r) => r.rule.name === name);
  if (!found)
    throw new EventBridgeApiError(
      'ResourceNotFoundException',
      `Rule ${name} does not exist on EventBus ${bus.name}.`,
    );
  return found;
}

const actions: Record<string, (backend: EventsApiBackend, body: Body) => unknown> = {
  PutEvents: (backend, body) => backend.putEvents(body.Entries),

  ListRules: (backend, body) => {
    const bus = busOrThrow(backend, optionalString(body, 'EventBusName'));
    const prefix = optionalString(body, 'NamePrefix') ?? '';
    const rules = backend
      .rules(bus.name)
      .filter((r) => r.rule.name.startsWith(prefix))
      .sort((a, b) => a.rule.name.localeCompare(b.rule.name));
    const { items, NextToken } = page(rules, body);
    return {
      Rules: items.map((r) => describeRule(r.rule, r.arn)),
      ...(NextToken && { NextToken }),
    };
  },

  DescribeRule: (backend, body) => {
    const { rule, arn } = ruleOrThrow(backend, body, 'Name');
    return { ...describeRule(rule, arn), CreatedBy: arn.split(':')[4] };
  },

  ListTargetsByRule: (backend, body) => {
    const { rule } = ruleOrThrow(backend, body, 'Rule');
    const { items, NextToken } = page(rule.targets, body);
    return { Targets: items.map(describeTarget), ...(NextToken && { NextToken }) };
  },

  DescribeEventBus: (backend, body) => {
    const bus = busOrThrow(backend, optionalString(body, 'Name'));
    return { Name: bus.name, Arn: bus.arn };
  },

  ListEventBuses: (backend, body) => {
    const prefix = optionalString(body, 'NamePrefix') ?? '';
    const buses = backend
      .buses()
      .filter((b) => b.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { items, NextToken } = page(buses, body);
    return {
      EventBuses: items.map((b) => ({ Name: b.name, Arn: b.arn })),
      ...(NextToken && { NextToken }),
    };
  },
};

/** The supported actions, for the endpoint's routing and its error for the rest. */
export const SUPPORTED_EVENTS_ACTIONS = Object.keys(actions);

/** Runs one API action; never throws (errors become AWS JSON error responses). */
export async function handleEventsApi(
  backend: EventsApiBackend,
  action: string,
  body: unknown,
): Promise<ApiResponse> {
  const handler = actions[action];
  if (!handler)
    return error('UnknownOperationException', `The local EventBridge does not support ${action}.`);
  if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
    return error('SerializationException', 'The request body must be a JSON object.');
  }
  try {
    return { statusCode: 200, body: await handler(backend, (body ?? {}) as Body) };
  } catch (caught) {
    if (caught instanceof EventBridgeApiError)
      return error(caught.name, caught.message, caught.statusCode);
    return error(
      'InternalException',
      caught instanceof Error ? caught.message : String(caught),
      500,
    );
  }
}
