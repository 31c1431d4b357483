/**
 * Contracts between the parts of the embedded local cloud. The core (template,
 * Lambda runtime, DynamoDB, SQS, API Gateway, endpoint) resolves the synthesized
 * template into the plain definitions below and hands the EventBridge and Step
 * Functions emulators the ports they call out through. Everything here is already
 * resolved: no CloudFormation intrinsics remain.
 */

/** Invokes a local Lambda function by ARN (or name). */
export interface LambdaInvoker {
  /** RequestResponse: resolves with the handler's result, rejects with its error. */
  invoke(functionArn: string, payload: unknown): Promise<unknown>;
  /** Event (asynchronous): accepted at once; failures are retried and logged by the runtime. */
  invokeAsync(functionArn: string, payload: unknown): Promise<void>;
}

/** Sends a message to a local SQS queue by ARN. */
export interface QueueSender {
  sendMessage(
    queueArn: string,
    body: string,
    options?: { messageGroupId?: string; messageDeduplicationId?: string },
  ): Promise<void>;
}

/** Starts a local Step Functions execution by state machine ARN. */
export interface StateMachineStarter {
  startExecution(
    stateMachineArn: string,
    input: string,
    name?: string,
  ): Promise<{ executionArn: string; startDate: Date }>;
}

/** A line of output from a local service, shown with its prefix. */
export type LogSink = (line: string) => void;

export interface EventBusDefinition {
  logicalId: string;
  name: string;
  arn: string;
  /** Archives on this bus (events matching are kept for replay). */
  archives: { name: string; eventPattern?: object; retentionDays?: number }[];
}

export interface TargetDefinition {
  id: string;
  /** SQS queue, Lambda function or Step Functions state machine ARN. */
  arn: string;
  input?: string;
  inputPath?: string;
  inputTransformer?: { inputPathsMap?: Record<string, string>; inputTemplate: string };
  sqsParameters?: { messageGroupId?: string };
  deadLetterArn?: string;
  retryPolicy?: { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number };
}

export interface RuleDefinition {
  logicalId: string;
  name: string;
  eventBusName: string;
  eventPattern: object;
  state: 'ENABLED' | 'DISABLED';
  targets: TargetDefinition[];
}

export interface StateMachineDefinition {
  logicalId: string;
  name: string;
  arn: string;
  type: 'STANDARD' | 'EXPRESS';
  /** The Amazon States Language definition, parsed, with ARNs resolved. */
  definition: object;
}
