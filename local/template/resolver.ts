import type { CfnResource, CfnTemplate } from './manifest.ts';
import {
  evaluateCondition,
  IntrinsicError,
  resolveIntrinsics,
  type IntrinsicEnv,
} from './intrinsics.ts';
import { identityOf, type Account, type Identity } from './identities.ts';

/**
 * Resolves a synthesized template against one local account: every `Ref`,
 * `Fn::GetAtt` and other intrinsic becomes the local physical name, URL or ARN.
 * Identities are computed on demand (a queue's name may itself be an `Fn::Join`),
 * with a guard against reference cycles.
 */
export class TemplateResolver {
  readonly account: Account;
  /** Attributes asked for that have no local value (placeholders were used). */
  readonly warnings: string[] = [];
  private readonly template: CfnTemplate;
  private readonly identities = new Map<string, Identity>();
  private readonly inProgress = new Set<string>();
  private readonly env: IntrinsicEnv;

  constructor(
    template: CfnTemplate,
    account: Account,
    parameterOverrides: Record<string, string> = {},
  ) {
    this.template = template;
    this.account = account;
    const parameters: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(template.Parameters ?? {})) {
      parameters[name] = parameterOverrides[name] ?? p.Default;
    }
    this.env = {
      ...account,
      urlSuffix: 'amazonaws.com',
      parameters,
      mappings: template.Mappings ?? {},
      conditions: template.Conditions ?? {},
      ref: (id) => this.identity(id).ref,
      getAtt: (id, attribute) => this.attribute(id, attribute),
    };
  }

  /** Resolves all intrinsics in a value. */
  resolve(value: unknown): unknown {
    return resolveIntrinsics(value, this.env);
  }

  /** The raw resource (throws for an unknown logical id). */
  resource(logicalId: string): CfnResource {
    const resource = this.template.Resources?.[logicalId];
    if (!resource) throw new IntrinsicError(`Unknown resource or parameter ${logicalId}`);
    return resource;
  }

  /** Resources of a type whose `Condition` (if any) holds, in template order. */
  resourcesOfType(type: string): string[] {
    return this.includedResources().filter((id) => this.resource(id).Type === type);
  }

  /** Every resource whose `Condition` (if any) holds. */
  includedResources(): string[] {
    return Object.entries(this.template.Resources ?? {})
      .filter(([, r]) => r.Condition === undefined || evaluateCondition(r.Condition, this.env))
      .map(([id]) => id);
  }

  /** The resource's properties with every intrinsic resolved. */
  properties(logicalId: string): Record<string, unknown> {
    return (this.resolve(this.resource(logicalId).Properties ?? {}) ?? {}) as Record<
      string,
      unknown
    >;
  }

  /** What Ref returns and what Fn::GetAtt can read for a resource. */
  identity(logicalId: string): Identity {
    const known = this.identities.get(logicalId);
    if (known) return known;
    if (this.inProgress.has(logicalId)) {
      throw new IntrinsicError(`Reference cycle through ${logicalId}`);
    }
    const resource = this.resource(logicalId);
    this.inProgress.add(logicalId);
    try {
      const identity = identityOf(this.account, logicalId, resource.Type, (property) =>
        this.resolve(resource.Properties?.[property]),
      );
      this.identities.set(logicalId, identity);
      return identity;
    } finally {
      this.inProgress.delete(logicalId);
    }
  }

  private attribute(logicalId: string, attribute: string): unknown {
    const { attributes } = this.identity(logicalId);
    if (attribute in attributes) return attributes[attribute];
    const placeholder = `${logicalId}.${attribute}`;
    this.warnings.push(
      `${logicalId} (${this.resource(logicalId).Type}): attribute ${attribute} has no local value; using "${placeholder}"`,
    );
    return placeholder;
  }
}
