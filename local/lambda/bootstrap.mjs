// @ts-check
/**
 * The sandbox side of a local Lambda execution environment: a child process that
 * loads one function's bundle (the init phase), then runs invocations one at a time
 * as its parent sends them over IPC. Plays the role of the Lambda Node.js runtime
 * interface client. It imports nothing from the project.
 *
 * Plain JavaScript (type-checked through JSDoc) rather than TypeScript: Node strips
 * types with a WebAssembly compiler it loads on demand, which made every sandbox start
 * cost about 35 ms more CPU and 30 ms more time to ready (measured 2026-11-24), paid by
 * every scale-up of the local cloud and not by Lambda.
 *
 * @import { FromSandbox, SerializedError, ToSandbox } from './sandbox-protocol.ts'
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * @typedef {(
 *   event: unknown,
 *   context: object,
 *   callback?: (error: unknown, result?: unknown) => void,
 * ) => unknown} Handler
 */

/**
 * @param {unknown} error
 * @param {string} [fallbackType]
 * @returns {SerializedError}
 */
function serializeError(error, fallbackType = 'Error') {
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

/** @param {FromSandbox} message */
function send(message) {
  process.send?.(message);
}

/**
 * An error the runtime reports with its own type (e.g. `Runtime.HandlerNotFound`).
 * @param {string} name
 * @param {string} message
 */
function runtimeError(name, message) {
  return Object.assign(new Error(message), { name });
}

/**
 * A module namespace is an object of unknown exports (typed `any` by `import()`).
 * @type {(url: string) => Promise<Record<string, unknown>>}
 */
const importModule = (url) => import(url);

/**
 * Resolves `dir/file.export` like the Lambda runtime: .js, .mjs, then .cjs.
 * @param {string} taskRoot
 * @param {string} handlerSetting
 * @returns {Promise<Handler>}
 */
async function loadHandler(taskRoot, handlerSetting) {
  const dot = handlerSetting.lastIndexOf('.');
  if (dot <= 0) throw runtimeError('Runtime.MalformedHandlerName', `Bad handler ${handlerSetting}`);
  const file = handlerSetting.slice(0, dot);
  const exportPath = handlerSetting.slice(dot + 1);
  const candidate = ['.js', '.mjs', '.cjs']
    .map((ext) => join(taskRoot, file + ext))
    .find((p) => existsSync(p));
  if (!candidate) throw runtimeError('Runtime.ImportModuleError', `Cannot find module '${file}'`);
  const module = await importModule(pathToFileURL(candidate).href);
  const fallback = /** @type {Record<string, unknown> | undefined} */ (module.default);
  const handler = module[exportPath] ?? fallback?.[exportPath];
  if (typeof handler !== 'function') {
    throw runtimeError(
      'Runtime.HandlerNotFound',
      `${file}.${exportPath} is undefined or not exported`,
    );
  }
  return /** @type {Handler} */ (handler);
}

/**
 * @param {Extract<ToSandbox, { type: 'invoke' }>} message
 * @returns {object}
 */
function contextFor(message) {
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

/**
 * @param {Handler} handler
 * @param {unknown} event
 * @param {object} context
 * @returns {Promise<unknown>}
 */
async function runHandler(handler, event, context) {
  // Callback-style handlers (three parameters) are still supported for older code.
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const result = handler(event, context, (error, value) =>
        error
          ? reject(error instanceof Error ? error : new Error(JSON.stringify(error)))
          : resolve(value),
      );
      const thenable = /** @type {PromiseLike<unknown> | undefined} */ (result);
      if (thenable && typeof thenable.then === 'function') thenable.then(resolve, reject);
    });
  }
  return handler(event, context);
}

async function main() {
  const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const started = performance.now();
  /** @type {Handler} */
  let handler;
  try {
    handler = await loadHandler(taskRoot, process.env._HANDLER ?? 'index.handler');
  } catch (error) {
    send({ type: 'initError', error: serializeError(error, 'Runtime.ImportModuleError') });
    process.exitCode = 1;
    process.disconnect?.();
    return;
  }
  /** @type {string | undefined} */
  let current;
  // Like the Lambda runtime: an error escaping the handler's promise chain fails
  // the current invocation and the environment is recycled.
  /** @type {(error: unknown, type: string) => never} */
  const fatal = (error, type) => {
    if (current) send({ type: 'error', id: current, error: serializeError(error, type) });
    process.exit(1);
  };
  process.on('uncaughtException', (error) => fatal(error, 'Runtime.UncaughtException'));
  process.on('unhandledRejection', (error) => fatal(error, 'Runtime.UnhandledPromiseRejection'));

  process.on('message', (/** @type {ToSandbox} */ message) => {
    if (message.type === 'shutdown') {
      process.exit(0);
    }
    if (message.type !== 'invoke') return;
    current = message.id;
    process.env._X_AMZN_TRACE_ID = message.traceId;
    void (async () => {
      try {
        const result = await runHandler(handler, JSON.parse(message.event), contextFor(message));
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
