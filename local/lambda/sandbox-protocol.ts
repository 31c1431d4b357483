/** The messages a sandbox (bootstrap.mjs) and its parent (sandbox.ts) exchange over IPC. */

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
