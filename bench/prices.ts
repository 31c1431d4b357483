/**
 * US East (N. Virginia) on-demand list prices the cost model multiplies by, in USD,
 * with where each one comes from. Dated: prices change, so a figure computed with this
 * table is "at the list prices of {@link PRICES_TAKEN_ON}". Free tiers are left out on
 * purpose: the benchmark prices the marginal million orders, not the first month.
 *
 * `verified` says how the figure was checked when the table was written (no live
 * access to aws.amazon.com from the bench machine):
 * - `aws-page`: read on a stored copy of the AWS pricing page or AWS documentation;
 * - `secondary`: AWS's page not available; taken from two or more recent
 *   third-party pricing guides that quote the AWS page and agree;
 * - `unverified`: found in neither; the long-standing list price, to re-check.
 */

/** The day the prices below were looked up. */
export const PRICES_TAKEN_ON = '2026-11-23';

export const PRICE_REGION = 'us-east-1';

/** One price of the table. */
export interface Price {
  /** USD per `unit`. */
  usd: number;
  unit: string;
  /** The AWS pricing page (and the line on it) the price comes from. */
  source: string;
  verified: 'aws-page' | 'secondary' | 'unverified';
  note?: string;
}

export const PRICES = {
  lambdaRequest: {
    usd: 0.2 / 1e6,
    unit: 'request',
    source: 'AWS Lambda pricing (aws.amazon.com/lambda/pricing), Requests: $0.20 per 1M requests',
    verified: 'secondary',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second',
    source:
      'AWS Lambda pricing, Duration, Arm: $0.0000133334 per GB-second (first 7.5 billion GB-s per month)',
    verified: 'secondary',
  },
  lambdaX86GbSecond: {
    usd: 0.0000166667,
    unit: 'GB-second',
    source:
      'AWS Lambda pricing, Duration, x86: $0.0000166667 per GB-second (first 6 billion GB-s per month)',
    verified: 'secondary',
  },
  dynamoDbWriteRequestUnit: {
    usd: 0.625 / 1e6,
    unit: 'write request unit',
    source:
      'Amazon DynamoDB pricing for on-demand capacity (aws.amazon.com/dynamodb/pricing/on-demand): $0.625 per million write request units (after the November 2024 price cut)',
    verified: 'secondary',
  },
  dynamoDbReadRequestUnit: {
    usd: 0.125 / 1e6,
    unit: 'read request unit',
    source:
      'Amazon DynamoDB pricing for on-demand capacity: $0.125 per million read request units (after the November 2024 price cut)',
    verified: 'secondary',
  },
  eventBridgeCustomEvent: {
    usd: 1 / 1e6,
    unit: 'custom event (64 KB chunk)',
    source:
      'Amazon EventBridge pricing (aws.amazon.com/eventbridge/pricing), Event bus, Custom events: $1.00 per million events published',
    verified: 'secondary',
  },
  sqsStandardRequest: {
    usd: 0.4 / 1e6,
    unit: 'request (64 KB chunk)',
    source:
      'Amazon SQS pricing (aws.amazon.com/sqs/pricing), Standard queue: $0.40 per million requests (1M to 100B requests per month)',
    verified: 'secondary',
  },
  stepFunctionsStateTransition: {
    usd: 0.025 / 1000,
    unit: 'state transition',
    source:
      'AWS Step Functions pricing (aws.amazon.com/step-functions/pricing), Standard workflows, US East (N. Virginia): $0.0250 per 1,000 state transitions',
    verified: 'aws-page',
  },
  apiGatewayRestRequest: {
    usd: 3.5 / 1e6,
    unit: 'REST API request',
    source:
      'Amazon API Gateway pricing (aws.amazon.com/api-gateway/pricing), REST APIs: $3.50 per million requests (first 333 million per month); also in the AWS whitepaper "Best Practices for Designing Amazon API Gateway Private APIs", table 4',
    verified: 'aws-page',
  },
  cloudWatchLogsIngestedGb: {
    usd: 0.5,
    unit: 'GB ingested',
    source:
      'Amazon CloudWatch pricing (aws.amazon.com/cloudwatch/pricing), Logs, Standard: collect (data ingestion) $0.50 per GB',
    verified: 'secondary',
  },
  xRayTraceRecorded: {
    usd: 5 / 1e6,
    unit: 'trace recorded',
    source: 'AWS X-Ray pricing (aws.amazon.com/xray/pricing): traces recorded $5.00 per million',
    verified: 'unverified',
  },
} as const satisfies Record<string, Price>;

export type PriceTable = { readonly [K in keyof typeof PRICES]: Price };
