import { expect } from '@jest/globals';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Template } from 'aws-cdk-lib/assertions';

/** Resources of a template, as `findResources` returns them. */
export type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** One statement of an IAM policy document. */
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
  Principal?: unknown;
}

/** A stack in an app that skips esbuild, for tests of construct settings only. */
export function unbundledStack(id = 'Test'): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, id, { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** The logical id of the only resource of a type (fails when there are more or none). */
export function onlyId(template: Template, type: string, props?: object): string {
  const ids = Object.keys(template.findResources(type, props ? { Properties: props } : undefined));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/** The properties of a resource by logical id. */
export function propertiesOf(template: Template, logicalId: string): Record<string, unknown> {
  const resources = template.toJSON().Resources as Resources;
  const resource = resources[logicalId];
  expect(resource).toBeDefined();
  return resource!.Properties;
}

/** The logical id of the role of a function. */
export function roleOf(template: Template, functionId: string): string {
  const role = propertiesOf(template, functionId).Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

/** Every statement of the policies attached to a role. */
export function statementsOf(template: Template, roleId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  }) as Resources;
  return Object.values(policies).flatMap(
    ({ Properties: p }) => (p.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

/** The statements of a role that allow an action (exactly that action, or among others). */
export function statementsAllowing(
  template: Template,
  roleId: string,
  action: string,
): Statement[] {
  return statementsOf(template, roleId).filter(
    (s) => s.Effect === 'Allow' && [s.Action].flat().includes(action),
  );
}

/** Every action a role is allowed, whatever the resource. */
export function actionsOf(template: Template, roleId: string): string[] {
  return statementsOf(template, roleId)
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => [s.Action].flat());
}

/** Every logical id a value refers to (`Ref` and `Fn::GetAtt`), however deeply nested. */
export function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, inner] of Object.entries(node)) {
      if (key === 'Ref' && typeof inner === 'string' && !inner.startsWith('AWS::')) ids.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner)) ids.add(String(inner[0]));
      else visit(inner);
    }
  };
  visit(value);
  return ids;
}

/**
 * Every API method as "METHOD /path auth", rebuilt from the resource tree (each
 * resource names its parent), so the test reads like the routes it checks.
 */
export function routesOf(template: Template): string[] {
  return Object.values(methodsByRoute(template))
    .map((m) => `${m.route} ${m.authorizationType}`)
    .sort();
}

/** The API methods by "METHOD /path", with their properties. */
export function methodsByRoute(
  template: Template,
): Record<string, { route: string; authorizationType: string; integration: unknown }> {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Resources;
  const pathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string }).Ref;
    if (!id) return ''; // Fn::GetAtt RootResourceId
    const resource = resources[id]!.Properties;
    return `${pathOf(resource.ParentId)}/${resource.PathPart as string}`;
  };
  const methods = template.findResources('AWS::ApiGateway::Method') as Resources;
  return Object.fromEntries(
    Object.values(methods).map(({ Properties: m }) => {
      const route = `${m.HttpMethod as string} ${pathOf(m.ResourceId) || '/'}`;
      return [
        route,
        { route, authorizationType: m.AuthorizationType as string, integration: m.Integration },
      ];
    }),
  );
}

/**
 * A state machine's definition, parsed. CloudFormation gets it as an `Fn::Join` of text
 * and references; each reference becomes a readable placeholder (`${Id.Arn}`,
 * `${AWS::Partition}`) so the JSON parses and a test can look at single states.
 */
export function definitionOf(template: Template, stateMachineId: string): StateMachineDefinition {
  const definition = propertiesOf(template, stateMachineId).DefinitionString as
    string | { 'Fn::Join': [string, unknown[]] };
  if (typeof definition === 'string') return JSON.parse(definition) as StateMachineDefinition;
  const [separator, parts] = definition['Fn::Join'];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = (part as { Ref?: string }).Ref;
      if (ref) return `\${${ref}}`;
      const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      if (getAtt) return `\${${getAtt[0]}.${getAtt[1]}}`;
      throw new Error(`Unexpected part of a definition: ${JSON.stringify(part)}`);
    })
    .join(separator);
  return JSON.parse(text) as StateMachineDefinition;
}

/** The parts of an Amazon States Language definition the tests look at. */
export interface StateMachineDefinition {
  StartAt: string;
  States: Record<string, Record<string, unknown> & { Type: string; Next?: string; End?: boolean }>;
}

/** A string value with its references as placeholders (`${AWS::Region}`, `${Id.Arn}`). */
export function flattened(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  const join = node['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(flattened).join(join[0]);
  if (typeof node.Ref === 'string') return `\${${node.Ref}}`;
  const getAtt = node['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt) return `\${${getAtt[0]}.${getAtt[1]}}`;
  throw new Error(`Cannot flatten ${JSON.stringify(value)}`);
}

/** The logical id of the CloudFormation resource behind an L2 construct. */
export function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnElement | undefined;
  if (!resource) throw new Error(`${construct.node.path} has no default CloudFormation resource`);
  return Stack.of(construct).getLogicalId(resource);
}
