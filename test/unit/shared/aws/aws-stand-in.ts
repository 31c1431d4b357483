import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  bodyOf,
  jsonAnswer,
  operationOf,
  startCaptureServer,
  type CannedAnswer,
} from './capture-server.ts';

/** What a scripted operation answers: a JSON body (status 200), or a full answer. */
type Answer = (body: Record<string, unknown>) => unknown;

/**
 * A stand-in AWS endpoint for tests of Lambda entry modules: point `AWS_ENDPOINT_URL` at
 * it and the entry's clients send it their requests, as the deployed function sends them
 * to AWS or the local cloud. Answers are scripted per operation (`GetItem`,
 * `StartExecution`…; `{}` when unscripted), and the bodies sent are kept per operation.
 */
export interface AwsStandIn {
  url: string;
  /** Scripts the answer of `operation`, replacing any earlier script. */
  on(operation: string, answer: Answer): this;
  /** The request bodies of `operation`, in order (DynamoDB items in their wire format). */
  sent(operation: string): Record<string, unknown>[];
  /** Forgets the requests and the scripts. */
  reset(): void;
  close(): Promise<void>;
}

/** A service error answer, as AWS sends one. */
export const errorAnswer = (code: string, message = code, status = 400): CannedAnswer => ({
  status,
  body: JSON.stringify({ __type: code, message }),
});

const isCanned = (value: unknown): value is CannedAnswer =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as CannedAnswer).status === 'number' &&
  typeof (value as CannedAnswer).body === 'string';

export async function startAwsStandIn(): Promise<AwsStandIn> {
  const answers = new Map<string, Answer>();
  const server = await startCaptureServer((request) => {
    const answer = answers.get(operationOf(request));
    const result = answer ? answer(bodyOf(request)) : {};
    return isCanned(result) ? result : jsonAnswer(result);
  });
  const standIn: AwsStandIn = {
    url: server.url,
    on(operation, answer) {
      answers.set(operation, answer);
      return standIn;
    },
    sent: (operation) =>
      server.requests
        .filter((request) => operationOf(request) === operation)
        .map((request) => bodyOf(request)),
    reset() {
      answers.clear();
      server.requests.splice(0);
    },
    close: () => server.close(),
  };
  return standIn;
}

/** A DynamoDB item in its wire format, from native values. */
export const wireItem = (item: object) => marshall(item, { removeUndefinedValues: true });

/** A write of a sent TransactWriteItems, its item (or key) in native values. */
export interface SentTransactionWrite {
  kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  TableName: string;
  /** The Put's item, or the key of the other kinds, unmarshalled. */
  item: Record<string, unknown>;
  request: Record<string, unknown>;
}

/** The writes of a TransactWriteItems body, in request order. */
export function transactionWrites(body: Record<string, unknown>): SentTransactionWrite[] {
  const items = (body.TransactItems ?? []) as Record<string, Record<string, unknown>>[];
  return items.map((entry) => {
    const [kind, request] = Object.entries(entry)[0]! as [
      SentTransactionWrite['kind'],
      Record<string, unknown>,
    ];
    const raw = (request.Item ?? request.Key) as Parameters<typeof unmarshall>[0];
    return { kind, TableName: String(request.TableName), item: unmarshall(raw), request };
  });
}
