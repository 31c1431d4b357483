import { StepFunctionsApiError } from './errors.ts';

/**
 * Execution names and ARNs as Step Functions forms them. A name is 1 to 80
 * characters without whitespace, brackets, wildcards, special characters or
 * control characters, so it can be part of an ARN and a CloudWatch log stream.
 */

// Whitespace, < > { } [ ], ? *, " # % \ ^ | ~ ` $ & , ; : /, and control characters.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

/** Throws `InvalidName` unless `name` is a valid execution name. */
export function validateExecutionName(name: string): void {
  if (name.length < 1 || name.length > 80) {
    throw new StepFunctionsApiError(
      'InvalidName',
      `Invalid Name: '${name}' (must be 1 to 80 characters)`,
    );
  }
  if (FORBIDDEN.test(name)) {
    throw new StepFunctionsApiError(
      'InvalidName',
      `Invalid Name: '${name}' (contains a character that is not allowed)`,
    );
  }
}

/**
 * The ARN of an execution: `...:execution:<machine>:<name>` for STANDARD, and
 * `...:express:<machine>:<name>:<id>` for EXPRESS (whose names may repeat).
 */
export function executionArnOf(
  stateMachineArn: string,
  type: 'STANDARD' | 'EXPRESS',
  name: string,
  uniqueId: string,
): string {
  const [arn, partition, service, region, account, , machineName] = stateMachineArn.split(':');
  const prefix = [arn, partition, service, region, account].join(':');
  return type === 'STANDARD'
    ? `${prefix}:execution:${machineName}:${name}`
    : `${prefix}:express:${machineName}:${name}:${uniqueId}`;
}
