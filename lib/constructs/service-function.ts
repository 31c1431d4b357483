import path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BundlingOptions, NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { LogLevel } from '../config.ts';
import { PROJECT_ROOT } from '../paths.ts';

/** The stage-wide observability settings every function of the app shares. */
export interface ObservabilitySettings {
  /** Application log level for Lambda's log filtering and Powertools. */
  readonly logLevel: LogLevel;
  /** Active X-Ray tracing. */
  readonly tracing: boolean;
  /** CloudWatch namespace of the functions' Powertools (EMF) metrics. */
  readonly metricsNamespace: string;
}

/** Properties of a {@link ServiceFunction}. */
export interface ServiceFunctionProps extends Omit<
  NodejsFunctionProps,
  | 'entry'
  | 'runtime'
  | 'architecture'
  | 'logGroup'
  | 'loggingFormat'
  | 'applicationLogLevelV2'
  | 'systemLogLevelV2'
  | 'tracing'
  | 'role'
  | 'code'
> {
  /** Absolute path of the handler module (see `lambdaEntry`). */
  readonly entry: string;
  /** Powertools service name: the `service` key of every log line and metric. */
  readonly serviceName: string;
  /** Log level, tracing and metrics namespace of the stage. */
  readonly observability: ObservabilitySettings;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log group when the stack is deleted.
   * @default RemovalPolicy.DESTROY (logs follow the function they belong to)
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The level Lambda filters application logs at: the stage's level, but never above
 * INFO. Powertools writes each metric (EMF) as a JSON line without a `level` field,
 * which Lambda counts as INFO: filtering at WARN or ERROR would drop every metric, and
 * with them the alarms and dashboard graphs that read them. Powertools filters its
 * own log lines at the stage's level (`POWERTOOLS_LOG_LEVEL`) instead.
 */
export const APPLICATION_LOG_LEVEL: Record<LogLevel, lambda.ApplicationLogLevel> = {
  TRACE: lambda.ApplicationLogLevel.TRACE,
  DEBUG: lambda.ApplicationLogLevel.DEBUG,
  INFO: lambda.ApplicationLogLevel.INFO,
  WARN: lambda.ApplicationLogLevel.INFO,
  ERROR: lambda.ApplicationLogLevel.INFO,
};

/**
 * Lambda's system log level closest to an application log level (it has only
 * DEBUG, INFO and WARN), so platform lines are as verbose as the application's.
 */
const SYSTEM_LOG_LEVEL: Record<LogLevel, lambda.SystemLogLevel> = {
  TRACE: lambda.SystemLogLevel.DEBUG,
  DEBUG: lambda.SystemLogLevel.DEBUG,
  INFO: lambda.SystemLogLevel.INFO,
  WARN: lambda.SystemLogLevel.WARN,
  ERROR: lambda.SystemLogLevel.WARN,
};

/**
 * esbuild settings for every function: minified ESM with every dependency bundled (a
 * pinned, tree-shaken bundle behaves the same everywhere and loads faster than modules
 * resolved at cold start), built by the local esbuild and never in Docker.
 *
 * The functions make their AWS calls through `lambdas/shared/aws` (SigV4 and the JSON
 * protocol on `node:http`), not the AWS SDK: the SDK was most of every bundle and cold
 * start. Only `@aws-sdk/util-dynamodb` (marshalling, 5 KB) of it is in the bundles;
 * the rest is used for types alone.
 */
export const DEFAULT_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node24',
  minify: true,
  sourceMap: false,
  // The default marks @aws-sdk/* as external (provided by the runtime); the one SDK
  // package the functions use (util-dynamodb) is bundled like any other dependency.
  externalModules: [],
  // Prefer ESM builds of dependencies, which tree-shake better.
  mainFields: ['module', 'main'],
  // CommonJS dependencies call require() for Node built-ins; ESM output has no require.
  banner:
    "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);",
  forceDockerBundling: false,
};

/**
 * A Node.js Lambda function with the project's defaults: Node.js 24 on arm64, bundled
 * by esbuild, its own log group (retention, JSON format, log levels from the stage),
 * X-Ray per the stage, Powertools configured through environment variables, and a
 * role that may write only to its own log group.
 */
export class ServiceFunction extends Construct implements iam.IGrantable {
  /** The Lambda function. */
  public readonly function: NodejsFunction;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The function's execution role. */
  public readonly role: iam.Role;
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const {
      serviceName,
      observability,
      logRetention,
      logRemovalPolicy,
      environment,
      bundling,
      ...functionProps
    } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });

    // An own role instead of AWSLambdaBasicExecutionRole, which may write to any log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${serviceName} function ${id}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      memorySize: 512,
      timeout: Duration.seconds(10),
      ...functionProps,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: APPLICATION_LOG_LEVEL[observability.logLevel],
      systemLogLevelV2: SYSTEM_LOG_LEVEL[observability.logLevel],
      tracing: observability.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      bundling: { ...DEFAULT_BUNDLING, ...bundling },
      environment: {
        POWERTOOLS_SERVICE_NAME: serviceName,
        POWERTOOLS_METRICS_NAMESPACE: observability.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: observability.logLevel,
        ...environment,
      },
    });
    this.grantPrincipal = this.function.grantPrincipal;

    if (observability.tracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Tracing.ACTIVE grants xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions, so their resource is "*".',
      });
    }
  }

  /** The function's name (e.g. for an environment variable of another function). */
  public get functionName(): string {
    return this.function.functionName;
  }
}
