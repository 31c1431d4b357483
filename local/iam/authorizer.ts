import type { FunctionDefinition } from '../template/model.ts';
import { stableId } from '../template/identities.ts';
import { firstDenied, type Access } from './policy.ts';
import {
  dynamoDbAccess,
  eventBridgeAccess,
  sqsAccess,
  stepFunctionsAccess,
  type ArnScope,
} from './requested-access.ts';

/**
 * Checks the requests of the local Lambda functions against their execution roles.
 * Each function signs with its own access key (set in its environment, as Lambda sets
 * the role's temporary credentials), so the endpoint knows which role a request
 * speaks for. Any other key (the CLI, tests, the local cloud itself) is not checked:
 * the local account's root, as with LocalStack's default.
 *
 * Why: a grant that misses an action fails only in AWS otherwise, after deployment;
 * with the check, the end-to-end tests prove every role allows what its code does.
 */

/** The access key id a function's sandbox signs with: `ASIA` + 16 characters derived from its ARN. */
export function functionAccessKeyId(functionArn: string): string {
  return `ASIA${stableId(functionArn, 16).toUpperCase()}`;
}

/** A request to check: its service, `X-Amz-Target` operation, body and content type. */
export interface CheckedRequest {
  service: 'dynamodb' | 'sqs' | 'events' | 'states' | 'lambda';
  operation: string;
  body: Buffer;
  contentType: string | undefined;
  accessKeyId: string | undefined;
}

/** A refused request: who asked, for what, and the message AWS would give. */
export interface Denial {
  functionName: string;
  access: Access;
  message: string;
}

interface Caller {
  functionName: string;
  roleName: string;
  statements: NonNullable<FunctionDefinition['role']>['statements'];
}

export class IamAuthorizer {
  private readonly callers = new Map<string, Caller>();
  private readonly scope: ArnScope;

  constructor(scope: ArnScope, functions: readonly FunctionDefinition[]) {
    this.scope = scope;
    for (const fn of functions) {
      if (!fn.role) continue;
      this.callers.set(functionAccessKeyId(fn.arn), {
        functionName: fn.name,
        roleName: fn.role.name,
        statements: fn.role.statements,
      });
    }
  }

  /** The refusal of a request its caller's role does not allow, or undefined. */
  check(request: CheckedRequest): Denial | undefined {
    const caller = request.accessKeyId ? this.callers.get(request.accessKeyId) : undefined;
    // The Lambda API is not checked: no function of the stack calls it.
    if (!caller || request.service === 'lambda') return undefined;
    const denied = firstDenied(caller.statements, this.accessesOf(request));
    if (!denied) return undefined;
    const { accountId, partition } = this.scope;
    return {
      functionName: caller.functionName,
      access: denied,
      message: `User: arn:${partition}:sts::${accountId}:assumed-role/${caller.roleName}/${caller.functionName} is not authorized to perform: ${denied.action} on resource: ${denied.resource} because no identity-based policy allows the ${denied.action} action`,
    };
  }

  private accessesOf(request: CheckedRequest): Access[] {
    const text = request.body.toString('utf8');
    switch (request.service) {
      case 'sqs':
        return sqsAccess(this.scope, request.operation || undefined, text, request.contentType);
      case 'dynamodb':
        return dynamoDbAccess(this.scope, request.operation, parse(text));
      case 'events':
        return eventBridgeAccess(this.scope, request.operation, parse(text));
      case 'states':
        return stepFunctionsAccess(request.operation, parse(text));
      case 'lambda':
        return [];
    }
  }
}

function parse(text: string): unknown {
  try {
    return text === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    return {};
  }
}
