import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ApiAuth } from '../config.ts';

/** The HTTP methods routes use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Options of one route. */
export interface RouteOptions {
  /**
   * Open to unauthenticated callers even when the API requires IAM auth (health checks).
   * @default false
   */
  readonly public?: boolean;
}

/** Properties of an {@link OrderApi}. */
export interface OrderApiProps {
  /** The order API function: serves `/health` and the `/orders` routes. */
  readonly ordersHandler: lambda.IFunction;
  /** Name of the API stage (part of the URL). */
  readonly stageName: string;
  /** `IAM`: SigV4-signed requests only (except public routes); `NONE`: open. */
  readonly auth: ApiAuth;
  /** Active X-Ray tracing of the stage. */
  readonly tracing: boolean;
  /**
   * Create the account-level role API Gateway writes logs with and set it in the account
   * (access logging fails to deploy without one). It is kept when the stack is deleted,
   * since every API of the account and region uses it.
   * @default true
   */
  readonly cloudWatchRole?: boolean;
  /**
   * Name of the REST API.
   * @default - the construct's path
   */
  readonly restApiName?: string;
  /**
   * Steady-state requests per second the stage accepts before answering 429.
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Requests the stage accepts in a burst.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * How long access logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly accessLogRetention?: logs.RetentionDays;
}

/** One JSON line per request: who called what, the outcome, and the trace to follow it. */
const ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
  JSON.stringify({
    requestId: apigw.AccessLogField.contextRequestId(),
    requestTime: apigw.AccessLogField.contextRequestTime(),
    sourceIp: apigw.AccessLogField.contextIdentitySourceIp(),
    caller: apigw.AccessLogField.contextIdentityCaller(),
    userArn: apigw.AccessLogField.contextIdentityUserArn(),
    httpMethod: apigw.AccessLogField.contextHttpMethod(),
    resourcePath: apigw.AccessLogField.contextResourcePath(),
    path: apigw.AccessLogField.contextPath(),
    status: apigw.AccessLogField.contextStatus(),
    responseLength: apigw.AccessLogField.contextResponseLength(),
    responseLatency: apigw.AccessLogField.contextResponseLatency(),
    integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
    integrationError: apigw.AccessLogField.contextIntegrationErrorMessage(),
    error: apigw.AccessLogField.contextErrorMessage(),
    xrayTraceId: apigw.AccessLogField.contextXrayTraceId(),
  }),
);

/**
 * The body of the answers API Gateway gives itself (unknown route, missing or bad
 * signature, throttling, a function that failed or timed out), in the error shape the
 * functions answer with (`{"error":{"code","message","details"}}`), so a client reads
 * every non-2xx the same way. The code is API Gateway's response type (for example
 * `MISSING_AUTHENTICATION_TOKEN`, `THROTTLED`); `messageString` is the message already
 * quoted as a JSON string. Gateway response templates are plain substitution, not VTL.
 */
export const GATEWAY_ERROR_TEMPLATE =
  '{"error":{"code":"$context.error.responseType","message":$context.error.messageString,"details":[]}}';

/**
 * The public REST API: proxy integrations to Lambda functions, access logs, stage
 * throttling, X-Ray per the stage, and IAM auth per the stage (public routes open).
 * The order routes are built in; other features add theirs with {@link addRoute}.
 */
export class OrderApi extends Construct {
  /** The REST API. */
  public readonly restApi: apigw.RestApi;
  /** The stage's access log group. */
  public readonly accessLogs: logs.LogGroup;
  private readonly auth: ApiAuth;
  private readonly integrations = new Map<lambda.IFunction, apigw.LambdaIntegration>();

  constructor(scope: Construct, id: string, props: OrderApiProps) {
    super(scope, id);
    this.auth = props.auth;

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.restApi = new apigw.RestApi(this, 'RestApi', {
      restApiName: props.restApiName,
      description: 'Order saga API',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Access logging needs the account's API Gateway CloudWatch role: a fresh account has
      // none, and the stage would fail to deploy. It is a regional singleton, so it outlives
      // the stack; accounts that manage it elsewhere turn this off.
      ...(props.cloudWatchRole === false
        ? { cloudWatchRole: false }
        : { cloudWatchRole: true, cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN }),
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.throttlingRateLimit ?? 50,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
        tracingEnabled: props.tracing,
        // No per-method (detailed) metrics: they are billed as custom metrics, about 7 per
        // route, and nothing reads them; the API-wide metrics (count, 4xx, 5xx, latency)
        // are there without them, and the access logs give each request's route and latency.
        metricsEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
      },
    });

    // The two fallbacks cover every response type; status codes stay API Gateway's own.
    for (const [id, type] of [
      ['Default4xx', apigw.ResponseType.DEFAULT_4XX],
      ['Default5xx', apigw.ResponseType.DEFAULT_5XX],
    ] as const) {
      this.restApi.addGatewayResponse(id, {
        type,
        templates: { 'application/json': GATEWAY_ERROR_TEMPLATE },
      });
    }

    this.addRoute('GET', '/health', props.ordersHandler, { public: true });
    this.addRoute('POST', '/orders', props.ordersHandler);
    this.addRoute('GET', '/orders', props.ordersHandler);
    this.addRoute('GET', '/orders/{orderId}', props.ordersHandler);

    const cloudWatchRole = this.restApi.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "The account's API Gateway logging role: AWS's managed policy for it is what API Gateway expects, and it covers the log groups of every API in the account, which are not known here.",
      });
    }
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Proxy integrations: each handler validates path, query and body with the zod schemas shared with its domain code, so the rules live in one place.',
    });
    Validations.of(this.restApi.deploymentStage).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason:
          "No WAF web ACL in the reference app: stage throttling bounds abuse. A deployment exposed to the internet should associate its organisation's WAFv2 web ACL.",
      },
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'Access logs record every request and X-Ray traces them; execution logs would add a log line per step of every request at a cost, and API Gateway writes them only where the account has a CloudWatch role, which a stage may leave to another owner (API_CLOUDWATCH_ROLE=false).',
      },
    );
  }

  /** The URL of the deployed stage (ends with `/`). */
  public get url(): string {
    return this.restApi.url;
  }

  /**
   * Routes `method path` to a function through a Lambda proxy integration. The path
   * may have parameters (`/orders/{orderId}/cancel`); parent resources are created as
   * needed. The function gets permission to be invoked by this route only.
   */
  public addRoute(
    method: HttpMethod,
    path: string,
    handler: lambda.IFunction,
    options: RouteOptions = {},
  ): apigw.Method {
    const isPublic = options.public ?? false;
    const authorizationType =
      this.auth === 'IAM' && !isPublic ? apigw.AuthorizationType.IAM : apigw.AuthorizationType.NONE;
    const apiMethod = this.restApi.root
      .resourceForPath(path)
      .addMethod(method, this.integrationFor(handler), { authorizationType });

    if (authorizationType === apigw.AuthorizationType.NONE) {
      Validations.of(apiMethod).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: isPublic
          ? `${method} ${path} is public on purpose (health checks carry no data).`
          : 'This stage was configured with API_AUTH=NONE (an open demo API); the default is IAM.',
      });
    }
    Validations.of(apiMethod).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'The API authenticates callers with IAM (SigV4) or, when configured, not at all; there is no end-user identity pool, so no Cognito authorizer.',
    });
    return apiMethod;
  }

  /** One integration per function, so a function serving many routes is wired once. */
  private integrationFor(handler: lambda.IFunction): apigw.LambdaIntegration {
    let integration = this.integrations.get(handler);
    if (!integration) {
      // No extra permission for console test invocations: one permission per route.
      integration = new apigw.LambdaIntegration(handler, { allowTestInvoke: false });
      this.integrations.set(handler, integration);
    }
    return integration;
  }
}
