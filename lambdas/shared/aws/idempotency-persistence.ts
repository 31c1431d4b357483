import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
  PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS,
} from '@aws-lambda-powertools/idempotency';
import type { DynamoDBPersistenceOptionsBase } from '@aws-lambda-powertools/idempotency/dynamodb/types';
import {
  BasePersistenceLayer,
  IdempotencyRecord,
} from '@aws-lambda-powertools/idempotency/persistence';
import type { IdempotencyRecordStatusValue } from '@aws-lambda-powertools/idempotency/types';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionalCheckFailed, type DocumentDb } from './document-db.ts';

/** Where and how the records are stored: the options of Powertools' DynamoDB layer. */
export type DocumentDbPersistenceOptions = DynamoDBPersistenceOptionsBase;

/**
 * Powertools idempotency records in DynamoDB through {@link DocumentDb}, instead of
 * Powertools' `DynamoDBPersistenceLayer`, which needs the SDK's DynamoDB client (the
 * largest part of a bundle and most of a cold start). Same table layout, attribute
 * names, conditions and consistency as that layer, so the two read each other's
 * records: a deployment can switch from one to the other without forgetting any.
 */
export class DocumentDbPersistenceLayer extends BasePersistenceLayer {
  readonly #db: DocumentDb;
  readonly #tableName: string;
  readonly #keyAttr: string;
  readonly #sortKeyAttr: string | undefined;
  readonly #staticPkValue: string;
  readonly #statusAttr: string;
  readonly #expiryAttr: string;
  readonly #inProgressExpiryAttr: string;
  readonly #dataAttr: string;
  readonly #validationKeyAttr: string;

  constructor(db: DocumentDb, options: DocumentDbPersistenceOptions) {
    super();
    const names = PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS;
    this.#db = db;
    this.#tableName = options.tableName;
    this.#keyAttr = options.keyAttr ?? 'id';
    if (options.sortKeyAttr === this.#keyAttr) {
      throw new Error(`keyAttr [${this.#keyAttr}] and sortKeyAttr cannot be the same`);
    }
    this.#sortKeyAttr = options.sortKeyAttr;
    this.#staticPkValue = options.staticPkValue ?? `idempotency#${this.idempotencyKeyPrefix}`;
    this.#statusAttr = options.statusAttr ?? names.statusAttr;
    this.#expiryAttr = options.expiryAttr ?? names.expiryAttr;
    this.#inProgressExpiryAttr = options.inProgressExpiryAttr ?? names.inProgressExpiryAttr;
    this.#dataAttr = options.dataAttr ?? names.dataAttr;
    this.#validationKeyAttr = options.validationKeyAttr ?? names.validationKeyAttr;
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const { Item } = await this.#db.get({
      TableName: this.#tableName,
      Key: this.#key(idempotencyKey),
      ConsistentRead: true,
    });
    if (!Item) throw new IdempotencyItemNotFoundError();
    return this.#record(Item);
  }

  /**
   * Saves an INPROGRESS record unless one exists that is neither expired nor an
   * in-progress record whose invocation's time ran out.
   */
  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const item: Record<string, unknown> = {
      ...this.#key(record.idempotencyKey),
      [this.#expiryAttr]: record.expiryTimestamp,
      [this.#statusAttr]: record.getStatus(),
    };
    if (record.inProgressExpiryTimestamp !== undefined) {
      item[this.#inProgressExpiryAttr] = record.inProgressExpiryTimestamp;
    }
    if (this.isPayloadValidationEnabled() && record.payloadHash !== undefined) {
      item[this.#validationKeyAttr] = record.payloadHash;
    }
    const now = Date.now();
    try {
      await this.#db.put({
        TableName: this.#tableName,
        Item: item,
        ConditionExpression: [
          'attribute_not_exists(#id)',
          '#expiry < :now',
          '(#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
        ].join(' OR '),
        ExpressionAttributeNames: {
          '#id': this.#keyAttr,
          '#expiry': this.#expiryAttr,
          '#in_progress_expiry': this.#inProgressExpiryAttr,
          '#status': this.#statusAttr,
        },
        ExpressionAttributeValues: {
          ':now': now / 1000,
          ':now_in_millis': now,
          ':inprogress': IdempotencyRecordStatus.INPROGRESS,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // The existing record comes back raw, as DynamoDB sends it (the SDK does the same).
      const existing = error.Item ? this.#record(unmarshall(error.Item)) : undefined;
      throw new IdempotencyItemAlreadyExistsError(
        `Failed to put record for already existing idempotency key: ${record.idempotencyKey}`,
        existing,
      );
    }
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const names: Record<string, string> = {
      '#expiry': this.#expiryAttr,
      '#status': this.#statusAttr,
    };
    const values: Record<string, unknown> = {
      ':expiry': record.expiryTimestamp,
      ':status': record.getStatus(),
    };
    const assignments = ['#expiry = :expiry', '#status = :status'];
    if (record.responseData !== undefined) {
      assignments.push('#response_data = :response_data');
      names['#response_data'] = this.#dataAttr;
      values[':response_data'] = record.responseData;
    }
    if (this.isPayloadValidationEnabled()) {
      assignments.push('#validation_key = :validation_key');
      names['#validation_key'] = this.#validationKeyAttr;
      values[':validation_key'] = record.payloadHash;
    }
    await this.#db.update({
      TableName: this.#tableName,
      Key: this.#key(record.idempotencyKey),
      UpdateExpression: `SET ${assignments.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    await this.#db.delete({ TableName: this.#tableName, Key: this.#key(record.idempotencyKey) });
  }

  /** The item key: a fixed partition and the idempotency key as sort key, or the key alone. */
  #key(idempotencyKey: string): Record<string, string> {
    return this.#sortKeyAttr
      ? { [this.#keyAttr]: this.#staticPkValue, [this.#sortKeyAttr]: idempotencyKey }
      : { [this.#keyAttr]: idempotencyKey };
  }

  #record(item: Record<string, unknown>): IdempotencyRecord {
    return new IdempotencyRecord({
      idempotencyKey: item[this.#keyAttr] as string,
      sortKey: this.#sortKeyAttr && (item[this.#sortKeyAttr] as string),
      status: item[this.#statusAttr] as IdempotencyRecordStatusValue,
      expiryTimestamp: item[this.#expiryAttr] as number | undefined,
      inProgressExpiryTimestamp: item[this.#inProgressExpiryAttr] as number | undefined,
      responseData: item[this.#dataAttr] as IdempotencyRecord['responseData'],
      payloadHash: item[this.#validationKeyAttr] as string | undefined,
    });
  }
}
