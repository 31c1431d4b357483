/**
 * Execution history in GetExecutionHistory's shape, mapped from the event log of
 * aws-local-stepfunctions. It covers execution start and end, states entered and
 * exited, task failures and Map iterations: enough to follow a run, not every
 * event type the service records.
 */

/** The part of an aws-local-stepfunctions event log entry read here. */
export interface LibraryEvent {
  type: string;
  timestamp: number;
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string };
  index?: number;
}

/** One history event (AWS field names). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  executionStartedEventDetails?: { input: string };
  executionSucceededEventDetails?: { output: string };
  executionFailedEventDetails?: { error: string; cause: string };
  stateEnteredEventDetails?: { name: string; input: string };
  stateExitedEventDetails?: { name: string; output: string };
  taskFailedEventDetails?: { error: string; cause: string };
  mapIterationStartedEventDetails?: { name: string; index: number };
}

const text = (value: unknown) =>
  typeof value === 'string' ? value : JSON.stringify(value ?? null);

/** The history event for a library event, or undefined for those the history leaves out. */
export function historyEventOf(event: LibraryEvent, id: number): HistoryEvent | undefined {
  const base = { id, previousEventId: id - 1, timestamp: new Date(event.timestamp) };
  const state = event.state;
  switch (event.type) {
    case 'ExecutionStarted':
      return {
        ...base,
        type: 'ExecutionStarted',
        executionStartedEventDetails: { input: text(event.input) },
      };
    case 'ExecutionSucceeded':
      return {
        ...base,
        type: 'ExecutionSucceeded',
        executionSucceededEventDetails: { output: text(event.output) },
      };
    case 'ExecutionFailed':
      return {
        ...base,
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: event.Error ?? '', cause: text(event.Cause) },
      };
    case 'ExecutionAborted':
      return { ...base, type: 'ExecutionAborted' };
    case 'ExecutionTimeout':
      return { ...base, type: 'ExecutionTimedOut' };
    case 'StateEntered':
      return state
        ? {
            ...base,
            type: `${state.type}StateEntered`,
            stateEnteredEventDetails: { name: state.name, input: text(state.input) },
          }
        : undefined;
    case 'StateExited':
      return state
        ? {
            ...base,
            type: `${state.type}StateExited`,
            stateExitedEventDetails: { name: state.name, output: text(state.output) },
          }
        : undefined;
    case 'StateFailed':
      return state?.type === 'Task'
        ? {
            ...base,
            type: 'TaskFailed',
            taskFailedEventDetails: { error: event.Error ?? '', cause: text(event.Cause) },
          }
        : undefined;
    case 'MapIterationStarted':
      return {
        ...base,
        type: 'MapIterationStarted',
        mapIterationStartedEventDetails: {
          name: event.parentState?.name ?? '',
          index: event.index ?? 0,
        },
      };
    default:
      return undefined;
  }
}
