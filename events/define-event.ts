import * as z from 'zod/mini';
import { envelopeShape, type Envelope, type EnvelopeFields } from './envelope.ts';

/** The services that publish events; each is an EventBridge `source`. */
export const Sources = {
  orders: 'shop.orders',
  payments: 'shop.payments',
  inventory: 'shop.inventory',
} as const;
export type Source = (typeof Sources)[keyof typeof Sources];

/**
 * One event's contract. Everything else derives from it: the EventBridge rule
 * pattern, the PutEvents entry, the consumer's parser and the JSON Schema.
 */
export interface EventContract<TType extends string, TData extends z.ZodMiniType> {
  readonly source: Source;
  readonly detailType: TType;
  readonly version: number;
  readonly data: TData;
  /** Schema of the whole `detail`: envelope + data. */
  readonly schema: z.ZodMiniType<Envelope<TType, z.output<TData>>>;
  /** Validates an untrusted `detail`; throws a ZodError naming every bad field. */
  parse(detail: unknown): Envelope<TType, z.output<TData>>;
  /** Builds a validated event from the producer's envelope fields and data. */
  create(fields: EnvelopeFields, data: z.input<TData>): Envelope<TType, z.output<TData>>;
}

export function defineEvent<const TType extends string, TData extends z.ZodMiniType>(definition: {
  source: Source;
  detailType: TType;
  version: number;
  data: TData;
}): EventContract<TType, TData> {
  const schema = z.object({
    ...envelopeShape,
    type: z.literal(definition.detailType),
    version: z.literal(definition.version),
    data: definition.data,
  }) as unknown as z.ZodMiniType<Envelope<TType, z.output<TData>>>;
  return {
    ...definition,
    schema,
    parse: (detail) => schema.parse(detail),
    create: (fields, data) =>
      schema.parse({ ...fields, type: definition.detailType, version: definition.version, data }),
  };
}

/** Any contract, for code that handles events generically (relay, rules, schema export). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEventContract = EventContract<string, any>;

/** The envelope type of a contract, e.g. `EventOf<typeof OrderCreated>`. */
export type EventOf<C> =
  C extends EventContract<infer T, infer D> ? Envelope<T, z.output<D>> : never;
