import { statementsOf, type Statement } from '../iam/policy.ts';
import type { TemplateResolver } from './resolver.ts';

/**
 * A function's execution role as the template defines it, with every identity-based
 * statement attached to it there: the role's inline `Policies`, and each
 * `AWS::IAM::Policy` or `AWS::IAM::ManagedPolicy` naming the role in `Roles`, or
 * listed by reference in its `ManagedPolicyArns`.
 */
export interface RolePermissions {
  logicalId: string;
  name: string;
  arn: string;
  statements: Statement[];
  /** AWS managed policies the role lists: their contents are not known locally. */
  unknownManagedPolicies: string[];
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

/** Every role of the template, by its resolved ARN. */
export function rolePermissions(resolver: TemplateResolver): Map<string, RolePermissions> {
  const roles = new Map<string, RolePermissions>();
  const byName = new Map<string, RolePermissions>();
  for (const id of resolver.resourcesOfType('AWS::IAM::Role')) {
    const identity = resolver.identity(id);
    const role: RolePermissions = {
      logicalId: id,
      name: String(identity.ref),
      arn: String(identity.attributes.Arn),
      statements: [],
      unknownManagedPolicies: [],
    };
    const p = resolver.properties(id);
    for (const inline of list(p.Policies))
      role.statements.push(...statementsOf(record(inline).PolicyDocument));
    roles.set(role.arn, role);
    byName.set(role.name, role);
  }

  const managedByArn = new Map<string, Statement[]>();
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const id of resolver.resourcesOfType(type)) {
      const p = resolver.properties(id);
      const statements = statementsOf(p.PolicyDocument);
      if (type === 'AWS::IAM::ManagedPolicy')
        managedByArn.set(String(resolver.identity(id).ref), statements);
      for (const roleName of list(p.Roles))
        byName.get(String(roleName).split('/').pop() ?? '')?.statements.push(...statements);
    }
  }

  for (const role of roles.values()) {
    for (const policyArn of list(resolver.properties(role.logicalId).ManagedPolicyArns)) {
      const known = managedByArn.get(String(policyArn));
      if (known) role.statements.push(...known);
      else role.unknownManagedPolicies.push(String(policyArn));
    }
  }
  return roles;
}
