import { randomUUID } from 'node:crypto';
import type {
  AttributeValue,
  BatchGetItemOutput,
  CancellationReason,
  DeleteItemOutput,
  GetItemOutput,
  PutItemOutput,
  QueryOutput,
  TransactWriteItemsOutput,
  UpdateItemOutput,
} from '@aws-sdk/client-dynamodb';
import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  TransactWriteCommandInput,
  TransactWriteCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall, type marshallOptions } from '@aws-sdk/util-dynamodb';
import { isAwsError, type AwsServiceError } from './errors.ts';
import { createJsonRpcClient, type JsonRpcClient, type JsonRpcClientOptions } from './json-rpc.ts';

/** An answer without the SDK's `$metadata` (this client does not produce it). */
type Output<T> = Omit<T, '$metadata'>;

/**
 * DynamoDB with native JavaScript values, like `@aws-sdk/lib-dynamodb`'s document client
 * (same input and output types), for the operations the services use. Errors are
 * {@link AwsServiceError}s named by their code; test them with
 * {@link isConditionalCheckFailed} and {@link isTransactionCanceled}.
 */
export interface DocumentDb {
  get(input: GetCommandInput): Promise<Output<GetCommandOutput>>;
  put(input: PutCommandInput): Promise<Output<PutCommandOutput>>;
  update(input: UpdateCommandInput): Promise<Output<UpdateCommandOutput>>;
  delete(input: DeleteCommandInput): Promise<Output<DeleteCommandOutput>>;
  query(input: QueryCommandInput): Promise<Output<QueryCommandOutput>>;
  /**
   * One BatchGetItem request: the caller retries `UnprocessedKeys` (answered, not thrown,
   * when DynamoDB read only part of the batch).
   */
  batchGet(input: BatchGetCommandInput): Promise<Output<BatchGetCommandOutput>>;
  /** A `ClientRequestToken` is added when absent (as the SDK does), so a retry is idempotent. */
  transactWrite(input: TransactWriteCommandInput): Promise<Output<TransactWriteCommandOutput>>;
}

/**
 * The marshalling options of every service here (as their SDK document client had):
 * optional fields (customerEmail, paymentToken…) are absent, never stored as NULL; a
 * class instance reaching the store is a bug, so it fails instead of storing its fields.
 */
const MARSHALL_OPTIONS: marshallOptions = {
  removeUndefinedValues: true,
  convertClassInstanceToMap: false,
};
// Numbers come back as `number`: ours are integer minor units and versions, well
// within Number's exact range (unmarshall's default, wrapNumbers false).

type Item = Record<string, unknown>;
type RawItem = Record<string, AttributeValue>;

const toRaw = (item: Item): RawItem => marshall(item, MARSHALL_OPTIONS);
const toRawOptional = (item: Item | undefined) => (item === undefined ? undefined : toRaw(item));
const fromRaw = (item: RawItem | undefined): Item | undefined =>
  item === undefined ? undefined : unmarshall(item);

/** Drops the keys whose value is `undefined`, so the request JSON has no `null`s. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The expression values of a request, marshalled. */
function withValues<T extends { ExpressionAttributeValues?: Item | undefined }>(input: T) {
  return { ...input, ExpressionAttributeValues: toRawOptional(input.ExpressionAttributeValues) };
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

function marshallTransactItem(item: TransactItem) {
  const { ConditionCheck, Put, Delete, Update } = item;
  return defined({
    ConditionCheck:
      ConditionCheck &&
      defined({ ...withValues(ConditionCheck), Key: toRaw(ConditionCheck.Key ?? {}) }),
    Put: Put && defined({ ...withValues(Put), Item: toRaw(Put.Item ?? {}) }),
    Delete: Delete && defined({ ...withValues(Delete), Key: toRaw(Delete.Key ?? {}) }),
    Update: Update && defined({ ...withValues(Update), Key: toRaw(Update.Key ?? {}) }),
  });
}

type KeysAndAttributes = NonNullable<BatchGetCommandInput['RequestItems']>[string];
type RawKeysAndAttributes = NonNullable<BatchGetItemOutput['UnprocessedKeys']>[string];

/** The same map with each value converted (request and answer maps keyed by table name). */
function mapValues<A, B>(
  map: Record<string, A> | undefined,
  convert: (value: A) => B,
): Record<string, B> | undefined {
  return map === undefined
    ? undefined
    : Object.fromEntries(Object.entries(map).map(([name, value]) => [name, convert(value)]));
}

const marshallKeys = (request: KeysAndAttributes) =>
  defined({ ...request, Keys: request.Keys?.map((key) => toRaw(key)) });

const unmarshallKeys = (request: RawKeysAndAttributes): KeysAndAttributes =>
  defined({ ...request, Keys: request.Keys?.map((key) => unmarshall(key)) });

/** Options of {@link createDocumentDb}: those of the JSON client but the service's own. */
export type DocumentDbOptions = Omit<
  JsonRpcClientOptions,
  'service' | 'targetPrefix' | 'jsonVersion'
>;

/** Creates a {@link DocumentDb} (once per container, at module scope). */
export function createDocumentDb(options: DocumentDbOptions = {}): DocumentDb {
  const client: JsonRpcClient = createJsonRpcClient({
    ...options,
    service: 'dynamodb',
    targetPrefix: 'DynamoDB_20120810',
    jsonVersion: '1.0',
  });

  return {
    async get(input) {
      const output = await client.call<GetItemOutput>(
        'GetItem',
        defined({ ...input, Key: toRaw(input.Key ?? {}) }),
      );
      return { ...output, Item: fromRaw(output.Item) };
    },

    async put(input) {
      const output = await client.call<PutItemOutput>(
        'PutItem',
        defined({ ...withValues(input), Item: toRaw(input.Item ?? {}) }),
      );
      return { ...output, Attributes: fromRaw(output.Attributes) };
    },

    async update(input) {
      const output = await client.call<UpdateItemOutput>(
        'UpdateItem',
        defined({ ...withValues(input), Key: toRaw(input.Key ?? {}) }),
      );
      return { ...output, Attributes: fromRaw(output.Attributes) };
    },

    async delete(input) {
      const output = await client.call<DeleteItemOutput>(
        'DeleteItem',
        defined({ ...withValues(input), Key: toRaw(input.Key ?? {}) }),
      );
      return { ...output, Attributes: fromRaw(output.Attributes) };
    },

    async query(input) {
      const output = await client.call<QueryOutput>(
        'Query',
        defined({
          ...withValues(input),
          ExclusiveStartKey: toRawOptional(input.ExclusiveStartKey),
        }),
      );
      return {
        ...output,
        Items: output.Items?.map((item) => unmarshall(item)),
        LastEvaluatedKey: fromRaw(output.LastEvaluatedKey),
      };
    },

    async batchGet(input) {
      const output = await client.call<BatchGetItemOutput>(
        'BatchGetItem',
        defined({ ...input, RequestItems: mapValues(input.RequestItems, marshallKeys) }),
      );
      return {
        ...output,
        Responses: mapValues(output.Responses, (items) => items.map((item) => unmarshall(item))),
        UnprocessedKeys: mapValues(output.UnprocessedKeys, unmarshallKeys),
      };
    },

    async transactWrite(input) {
      const output = await client.call<TransactWriteItemsOutput>(
        'TransactWriteItems',
        defined({
          ...input,
          ClientRequestToken: input.ClientRequestToken ?? randomUUID(),
          TransactItems: input.TransactItems?.map(marshallTransactItem),
        }),
      );
      // ItemCollectionMetrics is asked for by no service here: left out rather than converted.
      return { ConsumedCapacity: output.ConsumedCapacity };
    },
  };
}

/** A failed condition of a single-item write; `Item` (raw) with `ReturnValuesOnConditionCheckFailure`. */
export type ConditionalCheckFailed = AwsServiceError & { Item?: RawItem };

/** A cancelled transaction; `CancellationReasons` has one entry per item, in request order. */
export type TransactionCanceled = AwsServiceError & { CancellationReasons?: CancellationReason[] };

/** Whether `error` is DynamoDB's ConditionalCheckFailedException. */
export function isConditionalCheckFailed(error: unknown): error is ConditionalCheckFailed {
  return isAwsError(error, 'ConditionalCheckFailedException');
}

/** Whether `error` is DynamoDB's TransactionCanceledException. */
export function isTransactionCanceled(error: unknown): error is TransactionCanceled {
  return isAwsError(error, 'TransactionCanceledException');
}
