import { describe, expect, it } from '@jest/globals';
import type { EventBridgeEvent } from '../../../local/eventbridge/event.ts';
import { parseJsonPath, readJsonPath } from '../../../local/eventbridge/json-path.ts';
import {
  renderInputTemplate,
  targetInput,
  validateTargetInput,
} from '../../../local/eventbridge/target-input.ts';

// Cases follow "Amazon EventBridge input transformation" (EventBridge user guide),
// whose examples use this EC2 event.
const ec2Event: EventBridgeEvent = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};

const facts = {
  ruleName: 'Ec2StateChanges',
  ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/Ec2StateChanges',
  ingestionTime: '2015-11-11T21:29:55Z',
};

const transform = (
  inputTemplate: string,
  inputPathsMap = { instance: '$.detail.instance-id', state: '$.detail.state' },
) =>
  targetInput(
    {
      id: 't',
      arn: 'arn:aws:sqs:us-east-1:0:q',
      inputTransformer: { inputPathsMap, inputTemplate },
    },
    ec2Event,
    facts,
  );

describe('JSONPath subset', () => {
  it('reads the root, dotted names with dashes, indices and quoted brackets', () => {
    expect(readJsonPath(ec2Event, '$')).toBe(ec2Event);
    expect(readJsonPath(ec2Event, '$.detail-type')).toBe('EC2 Instance State-change Notification');
    expect(readJsonPath(ec2Event, '$.detail.instance-id')).toBe('i-0123456789');
    expect(readJsonPath(ec2Event, '$.resources[0]')).toBe(
      'arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111',
    );
    expect(readJsonPath(ec2Event, "$['detail']['state']")).toBe('RUNNING');
  });

  it('gives undefined for paths that lead nowhere', () => {
    expect(readJsonPath(ec2Event, '$.detail.missing')).toBeUndefined();
    expect(readJsonPath(ec2Event, '$.resources[3]')).toBeUndefined();
    expect(readJsonPath(ec2Event, '$.source.length')).toBeUndefined();
  });

  it('rejects unsupported syntax', () => {
    expect(() => parseJsonPath('detail')).toThrow();
    expect(() => parseJsonPath('$.detail.*')).toThrow();
    expect(() => parseJsonPath('$..state')).toThrow();
  });
});

describe('targetInput', () => {
  it('is the whole event as JSON without input settings', () => {
    expect(JSON.parse(targetInput({ id: 't', arn: 'a' }, ec2Event, facts))).toEqual(ec2Event);
  });

  it('is the constant Input as given', () => {
    expect(targetInput({ id: 't', arn: 'a', input: '{"a": 1}' }, ec2Event, facts)).toBe('{"a": 1}');
  });

  it('is the JSON of what InputPath selects', () => {
    expect(targetInput({ id: 't', arn: 'a', inputPath: '$.detail' }, ec2Event, facts)).toBe(
      '{"instance-id":"i-0123456789","state":"RUNNING"}',
    );
    expect(targetInput({ id: 't', arn: 'a', inputPath: '$.detail.nope' }, ec2Event, facts)).toBe(
      'null',
    );
  });

  it('quotes string variables placed as JSON values in a JSON template', () => {
    const output = transform(
      '{"instance": <instance>, "state": [9, <state>, true], "Transformed": "Yes"}',
    );
    expect(JSON.parse(output)).toEqual({
      instance: 'i-0123456789',
      state: [9, 'RUNNING', true],
      Transformed: 'Yes',
    });
  });

  it('inserts the text of variables placed inside quotes', () => {
    const output = transform('{"message": "instance <instance> is in <state>"}');
    expect(JSON.parse(output)).toEqual({ message: 'instance i-0123456789 is in RUNNING' });
  });

  it('renders a quoted string template as a JSON string', () => {
    expect(transform('"<instance> is in state <state>"')).toBe(
      '"i-0123456789 is in state RUNNING"',
    );
  });

  it('renders a plain text template as text', () => {
    expect(transform('Instance <instance> is in <state>')).toBe(
      'Instance i-0123456789 is in RUNNING',
    );
  });

  it('escapes quotes in values placed inside JSON strings', () => {
    const output = renderInputTemplate('{"m": "said <q>"}', new Map([['q', 'a "quote"']]));
    expect(JSON.parse(output)).toEqual({ m: 'said a "quote"' });
  });

  it('inserts objects as JSON and missing values as null', () => {
    const output = transform('{"detail": <d>, "missing": <m>}', {
      d: '$.detail',
      m: '$.detail.nope',
    } as never);
    expect(JSON.parse(output)).toEqual({ detail: ec2Event.detail, missing: null });
  });

  it('provides the predefined aws.events variables', () => {
    const output = transform(
      '{"rule": <aws.events.rule-name>, "arn": "<aws.events.rule-arn>", "at": <aws.events.event.ingestion-time>, "event": <aws.events.event>}',
    );
    expect(JSON.parse(output)).toEqual({
      rule: facts.ruleName,
      arn: facts.ruleArn,
      at: facts.ingestionTime,
      event: ec2Event,
    });
  });

  it('leaves unknown placeholders and lone angle brackets alone', () => {
    expect(transform('a < b <unknown> <state>')).toBe('a < b <unknown> RUNNING');
  });
});

describe('validateTargetInput', () => {
  it('refuses more than one input mode, invalid constant JSON, bad paths and reserved names', () => {
    expect(() => validateTargetInput({ id: 't', arn: 'a', input: '{}', inputPath: '$' })).toThrow(
      /only one/,
    );
    expect(() => validateTargetInput({ id: 't', arn: 'a', input: '{oops' })).toThrow(/valid JSON/);
    expect(() => validateTargetInput({ id: 't', arn: 'a', inputPath: '$.a.*' })).toThrow();
    expect(() =>
      validateTargetInput({
        id: 't',
        arn: 'a',
        inputTransformer: {
          inputPathsMap: { 'aws.events.rule-name': '$.x' },
          inputTemplate: '<x>',
        },
      }),
    ).toThrow(/reserved/);
  });

  it('accepts valid settings', () => {
    expect(() =>
      validateTargetInput({
        id: 't',
        arn: 'a',
        inputTransformer: { inputPathsMap: { s: '$.detail.state' }, inputTemplate: '<s>' },
      }),
    ).not.toThrow();
  });
});
