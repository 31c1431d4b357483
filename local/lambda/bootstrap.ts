/**
 * The sandbox side of a local Lambda execution environment: a child process that
 * loads one function's bundle (the init phase), then runs invocations one at a time
 * as its parent sends them over IPC. Plays the role of the Lambda Node.js runtime
 * interface client. Runs directly under Node (type stripping), outside jest, so it
 * imports nothing from the project.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Messages from the parent. */
export type ToSandbox =
  | {
      type: 'invoke';
      id: string;
      event: string;
      requestId: string;
      deadlineMs: number;
      traceId: string;
      /** Timeout fault: run the handler but never answer (the parent kills us at the deadline). */
      hang?: boolean;
    }
  | { type: 'shutdown' };

/** Messages to the parent. */
export type FromSandbox =
  | { type: 'ready'; initMs: number }
  | { type: 'initError'; error: SerializedError }
  | { type: 'result'; id: string; payload: string }
  | { type: 'error'; id: string; error: SerializedError };

export interface SerializedError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

type Handler = (
  event: unknown,
  context: object,
  callback?: (error: unknown, result?: unknown) => void,
) => unknown;

function serializeError(error: unknown, fallbackType = 'Error'): SerializedError {
  if (error instanceof Error) {
    return {
      errorType: error.name || fallbackType,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  return {
    errorType: fallbackType,
    errorMessage: typeof error === 'string' ? error : JSON.stringify(error),
    trace: [],
  };
}

function send(message: FromSandbox): void {
  process.send?.(message);
}

/** Resolves `dir/file.export` like the Lambda runtime: .js, .mjs, then .cjs. */
async function loadHandler(taskRoot: string, handlerSetting: string): Promise<Handler> {
  const dot = handlerSetting.lastIndexOf('.');
  if (dot <= 0)
    throw Object.assign(new Error(`Bad handler ${handlerSetting}`), {
      name: 'Runtime.MalformedHandlerName',
    });
  const file = handlerSetting.slice(0, dot);
  const exportPath = handlerSetting.slice(dot + 1);
  const candidate = ['.js', '.mjs', '.cjs']
    .map((ext) => join(taskRoot, file + ext))
    .find((p) => existsSync(p));
  if (!candidate) {
    throw Object.assign(new Error(`Cannot find module '${file}'`), {
      name: 'Runtime.ImportModuleError',
    });
  }
  const module = (await import(pathToFileURL(candidate).href)) as Record<string, unknown>;
  const handler =
    module[exportPath] ?? (module.default as Record<string, unknown> | undefined)?.[exportPath];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${file}.${exportPath} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return handler as Handler;
}

function contextFor(message: Extract<ToSandbox, { type: 'invoke' }>): object {
  const env = process.env;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: env.LOCAL_LAMBDA_FUNCTION_ARN,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
  };
}

async function runHandler(handler: Handler, event: unknown, context: object): Promise<unknown> {
  // Callback-style handlers (three parameters) are still supported for older code.
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const result = handler(event, context, (error, value) =>
        error
          ? reject(error instanceof Error ? error : new Error(JSON.stringify(error)))
          : resolve(value),
      );
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(resolve, reject);
      }
    });
  }
  return handler(event, context);
}

async function main(): Promise<void> {
  const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const started = performance.now();
  let handler: Handler;
  try {
    handler = await loadHandler(taskRoot, process.env._HANDLER ?? 'index.handler');
  } catch (error) {
    send({ type: 'initError', error: serializeError(error, 'Runtime.ImportModuleError') });
    process.exitCode = 1;
    process.disconnect?.();
    return;
  }
  let current: string | undefined;
  // Like the Lambda runtime: an error escaping the handler's promise chain fails
  // the current invocation and the environment is recycled.
  const fatal = (error: unknown, type: string) => {
    if (current) send({ type: 'error', id: current, error: serializeError(error, type) });
    process.exit(1);
  };
  process.on('uncaughtException', (error) => fatal(error, 'Runtime.UncaughtException'));
  process.on('unhandledRejection', (error) => fatal(error, 'Runtime.UnhandledPromiseRejection'));

  process.on('message', (message: ToSandbox) => {
    if (message.type === 'shutdown') {
      process.exit(0);
    }
    if (message.type !== 'invoke') return;
    current = message.id;
    process.env._X_AMZN_TRACE_ID = message.traceId;
    void (async () => {
      try {
        const result = await runHandler(
          handler,
          JSON.parse(message.event) as unknown,
          contextFor(message),
        );
        if (message.hang) return;
        // The runtime serializes the result as JSON; undefined becomes null.
        send({ type: 'result', id: message.id, payload: JSON.stringify(result ?? null) });
      } catch (error) {
        if (message.hang) return;
        send({ type: 'error', id: message.id, error: serializeError(error) });
      } finally {
        current = undefined;
      }
    })();
  });
  send({ type: 'ready', initMs: performance.now() - started });
}

// The parent went away (even if killed): nothing will ever invoke us again.
process.on('disconnect', () => process.exit(0));
void main();
