import type { StateMachineDefinition } from '../ports.ts';
import { StepFunctionsApiError } from './errors.ts';
import type { HistoryEvent } from './history.ts';
import type { ExecutionDescription, ExecutionListItem, ExecutionStatus } from './index.ts';

/**
 * The Step Functions API over the AWS JSON 1.0 protocol (`X-Amz-Target:
 * AWSStepFunctions.<Action>`): the endpoint hands over the action and parsed
 * body and gets back a status and a body in the SDK's shapes. Timestamps go out
 * as epoch seconds, as the JSON protocols write them; errors as `{ __type, message }`.
 */

/** What the API needs from the emulator. */
export interface StatesApiBackend {
  startExecution(
    arn: string,
    input?: string,
    name?: string,
  ): Promise<{ executionArn: string; startDate: Date }>;
  describeExecution(arn: string): Promise<ExecutionDescription>;
  listExecutions(arn: string, status?: ExecutionStatus): Promise<ExecutionListItem[]>;
  stopExecution(arn: string, error?: string, cause?: string): Promise<{ stopDate: Date }>;
  getExecutionHistory(arn: string): Promise<HistoryEvent[]>;
  stateMachine(arn: string): { def: StateMachineDefinition; createdAt: Date };
  stateMachines(): { def: StateMachineDefinition; createdAt: Date }[];
}

export interface ApiResponse {
  statusCode: number;
  body: unknown;
}

type Body = Record<string, unknown>;

const STATUSES = new Set<string>(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** Dates anywhere in a response become epoch seconds. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  }
  return value;
}

const optionalString = (body: Body, key: string): string | undefined => {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new StepFunctionsApiError('ValidationException', `${key} must be a string`);
  return value;
};

const requiredString = (body: Body, key: string): string => {
  const value = optionalString(body, key);
  if (!value) throw new StepFunctionsApiError('ValidationException', `${key} is required`);
  return value;
};

/** Pages a list with an opaque nextToken (here: the next offset). */
function page<T>(items: T[], body: Body): { items: T[]; nextToken?: string } {
  const limit = typeof body.maxResults === 'number' && body.maxResults > 0 ? body.maxResults : 100;
  const token = optionalString(body, 'nextToken');
  const start = token ? Number.parseInt(token, 10) : 0;
  if (!Number.isInteger(start) || start < 0)
    throw new StepFunctionsApiError('InvalidToken', 'Invalid Token');
  const slice = items.slice(start, start + limit);
  return start + limit < items.length
    ? { items: slice, nextToken: String(start + limit) }
    : { items: slice };
}

const actions: Record<string, (backend: StatesApiBackend, body: Body) => unknown> = {
  StartExecution: (backend, body) =>
    backend.startExecution(
      requiredString(body, 'stateMachineArn'),
      optionalString(body, 'input'),
      optionalString(body, 'name'),
    ),

  DescribeExecution: (backend, body) =>
    backend.describeExecution(requiredString(body, 'executionArn')),

  ListExecutions: async (backend, body) => {
    const status = optionalString(body, 'statusFilter');
    if (status !== undefined && !STATUSES.has(status)) {
      throw new StepFunctionsApiError('ValidationException', `Invalid statusFilter: ${status}`);
    }
    const all = await backend.listExecutions(
      requiredString(body, 'stateMachineArn'),
      status as ExecutionStatus | undefined,
    );
    const { items, nextToken } = page(all, body);
    return { executions: items, ...(nextToken && { nextToken }) };
  },

  StopExecution: (backend, body) =>
    backend.stopExecution(
      requiredString(body, 'executionArn'),
      optionalString(body, 'error'),
      optionalString(body, 'cause'),
    ),

  GetExecutionHistory: async (backend, body) => {
    const events = await backend.getExecutionHistory(requiredString(body, 'executionArn'));
    const ordered = body.reverseOrder === true ? events.reverse() : events;
    const { items, nextToken } = page(ordered, body);
    return { events: items, ...(nextToken && { nextToken }) };
  },

  DescribeStateMachine: (backend, body) => {
    const { def, createdAt } = backend.stateMachine(requiredString(body, 'stateMachineArn'));
    return {
      stateMachineArn: def.arn,
      name: def.name,
      status: 'ACTIVE',
      definition: JSON.stringify(def.definition),
      roleArn: `arn:aws:iam::${def.arn.split(':')[4]}:role/${def.name}-role`,
      type: def.type,
      creationDate: createdAt,
    };
  },

  ListStateMachines: (backend, body) => {
    const machines = backend
      .stateMachines()
      .sort((a, b) => a.def.name.localeCompare(b.def.name))
      .map(({ def, createdAt }) => ({
        stateMachineArn: def.arn,
        name: def.name,
        type: def.type,
        creationDate: createdAt,
      }));
    const { items, nextToken } = page(machines, body);
    return { stateMachines: items, ...(nextToken && { nextToken }) };
  },
};

/** The supported actions, for the endpoint's routing. */
export const SUPPORTED_STATES_ACTIONS = Object.keys(actions);

/** Runs one API action; never throws (errors become AWS JSON error responses). */
export async function handleStatesApi(
  backend: StatesApiBackend,
  action: string,
  body: unknown,
): Promise<ApiResponse> {
  const handler = actions[action];
  if (!handler) {
    return {
      statusCode: 400,
      body: {
        __type: 'UnknownOperationException',
        message: `The local Step Functions does not support ${action}.`,
      },
    };
  }
  if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
    return {
      statusCode: 400,
      body: {
        __type: 'SerializationException',
        message: 'The request body must be a JSON object.',
      },
    };
  }
  try {
    return { statusCode: 200, body: toWire(await handler(backend, (body ?? {}) as Body)) };
  } catch (caught) {
    if (caught instanceof StepFunctionsApiError) {
      return {
        statusCode: caught.statusCode,
        body: { __type: caught.name, message: caught.message },
      };
    }
    const message = caught instanceof Error ? caught.message : String(caught);
    return { statusCode: 500, body: { __type: 'InternalFailure', message } };
  }
}
