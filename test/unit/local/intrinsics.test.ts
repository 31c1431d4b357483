import { describe, expect, it } from '@jest/globals';
import {
  IntrinsicError,
  NO_VALUE,
  evaluateCondition,
  resolveIntrinsics,
  type IntrinsicEnv,
} from '../../../local/template/intrinsics.ts';

const env: IntrinsicEnv = {
  region: 'us-east-1',
  accountId: '000000000000',
  partition: 'aws',
  stackName: 'Stack',
  urlSuffix: 'amazonaws.com',
  parameters: { Stage: 'dev', Count: 3 },
  mappings: { Sizes: { dev: { Memory: 256 } } },
  conditions: {
    IsDev: { 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] },
    IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    DevAndNotProd: {
      'Fn::And': [{ Condition: 'IsDev' }, { 'Fn::Not': [{ Condition: 'IsProd' }] }],
    },
    Either: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsDev' }] },
    Loop: { Condition: 'Loop' },
  },
  ref: (id) => {
    if (id === 'Queue') return 'http://127.0.0.1:4566/000000000000/q';
    throw new IntrinsicError(`Unknown resource ${id}`);
  },
  getAtt: (id, attribute) => `${id}.${attribute}!`,
};

const resolve = (value: unknown) => resolveIntrinsics(value, env);

describe('resolveIntrinsics', () => {
  it('resolves Ref to resources, parameters and pseudo parameters', () => {
    expect(
      resolve([
        { Ref: 'Queue' },
        { Ref: 'Stage' },
        { Ref: 'AWS::Region' },
        { Ref: 'AWS::AccountId' },
        { Ref: 'AWS::Partition' },
        { Ref: 'AWS::StackName' },
        { Ref: 'AWS::URLSuffix' },
      ]),
    ).toEqual([
      'http://127.0.0.1:4566/000000000000/q',
      'dev',
      'us-east-1',
      '000000000000',
      'aws',
      'Stack',
      'amazonaws.com',
    ]);
  });

  it('resolves Fn::GetAtt in both the list and the dotted form', () => {
    expect(resolve({ 'Fn::GetAtt': ['Table', 'StreamArn'] })).toBe('Table.StreamArn!');
    expect(resolve({ 'Fn::GetAtt': 'Table.Arn' })).toBe('Table.Arn!');
  });

  it('joins resolved parts with Fn::Join', () => {
    expect(
      resolve({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs:', { Ref: 'AWS::Region' }]],
      }),
    ).toBe('arn:aws:sqs:us-east-1');
  });

  it('substitutes references, attributes and pseudo parameters in the string form of Fn::Sub, keeping ${!literals}', () => {
    expect(
      resolve({ 'Fn::Sub': 'cdk-${AWS::AccountId}-${AWS::Region}/${Stage}/${Fn.Arn}/${!Literal}' }),
    ).toBe('cdk-000000000000-us-east-1/dev/Fn.Arn!/${Literal}');
  });

  it('uses the variable map of the list form of Fn::Sub before references', () => {
    expect(
      resolve({
        'Fn::Sub': ['${Stage}-${Name}', { Name: { Ref: 'AWS::StackName' }, Stage: 'override' }],
      }),
    ).toBe('override-Stack');
  });

  it('selects from and splits lists with Fn::Select and Fn::Split', () => {
    expect(resolve({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] })).toBe('b');
    expect(() => resolve({ 'Fn::Select': [5, ['a']] })).toThrow(IntrinsicError);
  });

  it('chooses with Fn::If on a condition and removes AWS::NoValue from objects and lists', () => {
    expect(
      resolve({
        A: { 'Fn::If': ['IsDev', 'dev-value', 'prod-value'] },
        B: { 'Fn::If': ['IsProd', 'x', { Ref: 'AWS::NoValue' }] },
        C: ['keep', { Ref: 'AWS::NoValue' }],
      }),
    ).toEqual({ A: 'dev-value', C: ['keep'] });
  });

  it('reads mappings with Fn::FindInMap', () => {
    expect(resolve({ 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'Memory'] })).toBe(256);
  });

  it('names an unsupported function instead of passing it through', () => {
    expect(() => resolve({ 'Fn::ImportValue': 'Shared-Export' })).toThrow(
      'Fn::ImportValue is not supported',
    );
  });

  it('leaves plain values and objects with several keys alone', () => {
    expect(resolve({ a: 1, b: [true, null], Ref: 'not-alone' })).toEqual({
      a: 1,
      b: [true, null],
      Ref: 'not-alone',
    });
  });

  it('exposes AWS::NoValue as a marker', () => {
    expect(resolve({ Ref: 'AWS::NoValue' })).toBe(NO_VALUE);
  });
});

describe('evaluateCondition', () => {
  it('evaluates Fn::Equals, Fn::And, Fn::Or, Fn::Not and nested conditions', () => {
    expect(evaluateCondition('IsDev', env)).toBe(true);
    expect(evaluateCondition('IsProd', env)).toBe(false);
    expect(evaluateCondition('DevAndNotProd', env)).toBe(true);
    expect(evaluateCondition('Either', env)).toBe(true);
  });

  it('rejects a condition that refers to itself', () => {
    expect(() => evaluateCondition('Loop', env)).toThrow('refers to itself');
  });
});
