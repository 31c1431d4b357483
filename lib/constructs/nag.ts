import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * How cdk-nag names a policy resource in its findings (`AwsSolutions-IAM5[Resource::<this>]`):
 * the resolved value with `Ref` as `<Id>`, `Fn::GetAtt` as `<Id.Attr>` and `Fn::Join`
 * joined. Acknowledging one exact wildcard resource, built from the same token the
 * grant used, keeps any other wildcard on that role a finding.
 */
export function nagResourceName(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

function flatten(node: unknown): string {
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object') {
    const join = (node as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return join[1].map(flatten).join(join[0]);
    const getAtt = (node as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
    const ref = (node as { Ref?: string }).Ref;
    if (ref) return `<${ref}>`;
  }
  return JSON.stringify(node);
}

/** The cdk-nag rule id that acknowledges one wildcard resource of a policy. */
export function wildcardResourceRule(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${nagResourceName(scope, resource)}]`;
}
