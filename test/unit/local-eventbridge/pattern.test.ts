import { describe, expect, it } from '@jest/globals';
import {
  InvalidEventPatternError,
  matchesPattern,
  validateEventPattern,
} from '../../../local/eventbridge/pattern.ts';

// Cases are written from the examples in the EventBridge user guide pages named in
// each describe block; the events around them are ours.

/** An EventBridge event with the given detail (and top-level overrides). */
const event = (detail: Record<string, unknown>, top: Record<string, unknown> = {}) => ({
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2017-10-02T18:43:48Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail,
  ...top,
});

describe('matchesPattern: exact values ("Creating Amazon EventBridge event patterns")', () => {
  const pattern = {
    source: ['aws.ec2'],
    'detail-type': ['EC2 Instance State-change Notification'],
    detail: { state: ['terminated'] },
  };

  it('matches when every field in the pattern has one of its values in the event', () => {
    expect(matchesPattern(pattern, event({ state: 'terminated', 'instance-id': 'i-1' }))).toBe(
      true,
    );
  });

  it('does not match when one field differs', () => {
    expect(matchesPattern(pattern, event({ state: 'running' }))).toBe(false);
    expect(matchesPattern(pattern, event({ state: 'terminated' }, { source: 'aws.s3' }))).toBe(
      false,
    );
  });

  it('treats the values of a field as alternatives (OR)', () => {
    const either = { detail: { state: ['stopped', 'terminated'] } };
    expect(matchesPattern(either, event({ state: 'stopped' }))).toBe(true);
    expect(matchesPattern(either, event({ state: 'pending' }))).toBe(false);
  });

  it('is case sensitive and does not convert between strings and numbers', () => {
    expect(
      matchesPattern({ detail: { state: ['Terminated'] } }, event({ state: 'terminated' })),
    ).toBe(false);
    expect(matchesPattern({ detail: { count: [5] } }, event({ count: '5' }))).toBe(false);
    expect(matchesPattern({ detail: { count: ['5'] } }, event({ count: 5 }))).toBe(false);
    expect(matchesPattern({ detail: { count: [5] } }, event({ count: 5 }))).toBe(true);
  });

  it('matches numbers by value and booleans exactly', () => {
    expect(matchesPattern({ detail: { limit: [300] } }, event({ limit: 3.0e2 }))).toBe(true);
    expect(matchesPattern({ detail: { on: [true] } }, event({ on: true }))).toBe(true);
    expect(matchesPattern({ detail: { on: [true] } }, event({ on: 'true' }))).toBe(false);
  });

  it('does not match a field that the event lacks', () => {
    expect(matchesPattern({ detail: { missing: ['x'] } }, event({ state: 'x' }))).toBe(false);
  });

  it('matches fields nested at any depth', () => {
    const deep = { detail: { order: { customer: { tier: ['gold'] } } } };
    expect(matchesPattern(deep, event({ order: { customer: { tier: 'gold' } } }))).toBe(true);
    expect(matchesPattern(deep, event({ order: { customer: { tier: 'silver' } } }))).toBe(false);
    expect(matchesPattern(deep, event({ order: 'gold' }))).toBe(false);
  });

  it('matches the whole event with an empty pattern (used by archives without a pattern)', () => {
    expect(matchesPattern({}, event({}))).toBe(true);
  });
});

describe('matchesPattern: null and empty strings ("Matching null values and empty strings in Amazon EventBridge event patterns")', () => {
  const launched = event({ eventVersion: '', responseElements: null });

  it('matches an empty string with [""]', () => {
    expect(matchesPattern({ detail: { eventVersion: [''] } }, launched)).toBe(true);
  });

  it('matches a null value with [null]', () => {
    expect(matchesPattern({ detail: { responseElements: [null] } }, launched)).toBe(true);
  });

  it('does not treat null and the empty string as interchangeable', () => {
    expect(matchesPattern({ detail: { responseElements: [''] } }, launched)).toBe(false);
    expect(matchesPattern({ detail: { eventVersion: [null] } }, launched)).toBe(false);
  });

  it('does not match [null] when the field is absent', () => {
    expect(matchesPattern({ detail: { other: [null] } }, launched)).toBe(false);
  });
});

describe('matchesPattern: arrays ("Arrays in Amazon EventBridge event patterns")', () => {
  const pattern = {
    resources: [
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
    ],
  };

  it('matches when the pattern values and the event array intersect', () => {
    const resources = [
      'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
    ];
    expect(matchesPattern(pattern, event({}, { resources }))).toBe(true);
  });

  it('does not match when they do not intersect, or the event array is empty', () => {
    expect(
      matchesPattern(pattern, event({}, { resources: ['arn:aws:ec2:us-east-1:1:instance/i-x'] })),
    ).toBe(false);
    expect(matchesPattern(pattern, event({}, { resources: [] }))).toBe(false);
  });

  it('applies operators to each element of an event array', () => {
    const pngs = { detail: { files: [{ suffix: '.png' }] } };
    expect(matchesPattern(pngs, event({ files: ['a.txt', 'b.png'] }))).toBe(true);
    expect(matchesPattern(pngs, event({ files: ['a.txt', 'b.gif'] }))).toBe(false);
  });

  it('matches a nested pattern against one element of an array of objects', () => {
    const pattern = { detail: { items: { sku: ['A'], quantity: [2] } } };
    expect(
      matchesPattern(
        pattern,
        event({
          items: [
            { sku: 'B', quantity: 2 },
            { sku: 'A', quantity: 2 },
          ],
        }),
      ),
    ).toBe(true);
    // sku A and quantity 2 exist, but not in the same element.
    expect(
      matchesPattern(
        pattern,
        event({
          items: [
            { sku: 'A', quantity: 1 },
            { sku: 'B', quantity: 2 },
          ],
        }),
      ),
    ).toBe(false);
  });
});

describe('matchesPattern: prefix ("Content filtering in Amazon EventBridge event patterns")', () => {
  it('matches strings starting with the prefix', () => {
    expect(matchesPattern({ time: [{ prefix: '2017-10-02' }] }, event({}))).toBe(true);
    expect(matchesPattern({ time: [{ prefix: '2017-10-03' }] }, event({}))).toBe(false);
  });

  it('matches the documented European regions example', () => {
    const pattern = { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] };
    expect(
      matchesPattern(pattern, event({}, { source: 'aws.autoscaling', region: 'eu-west-1' })),
    ).toBe(true);
    expect(
      matchesPattern(pattern, event({}, { source: 'aws.autoscaling', region: 'us-east-1' })),
    ).toBe(false);
  });

  it('ignores case with equals-ignore-case inside prefix', () => {
    const pattern = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    expect(matchesPattern(pattern, event({ service: 'eventbridge' }))).toBe(true);
    expect(matchesPattern(pattern, event({ service: 'EVENTBRIDGE' }))).toBe(true);
    expect(matchesPattern(pattern, event({ service: 'sqs' }))).toBe(false);
  });

  it('only applies to strings', () => {
    expect(matchesPattern({ detail: { n: [{ prefix: '12' }] } }, event({ n: 123 }))).toBe(false);
  });
});

describe('matchesPattern: suffix ("Content filtering in Amazon EventBridge event patterns")', () => {
  it('matches strings ending with the suffix', () => {
    const pattern = { detail: { FileName: [{ suffix: '.png' }] } };
    expect(matchesPattern(pattern, event({ FileName: 'photo.png' }))).toBe(true);
    expect(matchesPattern(pattern, event({ FileName: 'photo.PNG' }))).toBe(false);
  });

  it('ignores case with equals-ignore-case inside suffix', () => {
    const pattern = { detail: { service: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] } };
    expect(matchesPattern(pattern, event({ service: 'EVENTBRIDGE' }))).toBe(true);
    expect(matchesPattern(pattern, event({ service: 'eventbus' }))).toBe(false);
  });
});

describe('matchesPattern: anything-but ("Content filtering in Amazon EventBridge event patterns")', () => {
  it('matches any string but the given one', () => {
    const pattern = { detail: { state: [{ 'anything-but': 'initializing' }] } };
    expect(matchesPattern(pattern, event({ state: 'running' }))).toBe(true);
    expect(matchesPattern(pattern, event({ state: 'initializing' }))).toBe(false);
  });

  it('matches any number but the given one', () => {
    const pattern = { detail: { 'x-limit': [{ 'anything-but': 123 }] } };
    expect(matchesPattern(pattern, event({ 'x-limit': 124 }))).toBe(true);
    expect(matchesPattern(pattern, event({ 'x-limit': 123 }))).toBe(false);
  });

  it('excludes every value of a list of strings or numbers', () => {
    const strings = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(matchesPattern(strings, event({ state: 'running' }))).toBe(true);
    expect(matchesPattern(strings, event({ state: 'overloaded' }))).toBe(false);
    const numbers = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
    expect(matchesPattern(numbers, event({ 'x-limit': 150 }))).toBe(true);
    expect(matchesPattern(numbers, event({ 'x-limit': 200 }))).toBe(false);
  });

  it('excludes a prefix', () => {
    const pattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(matchesPattern(pattern, event({ state: 'running' }))).toBe(true);
    expect(matchesPattern(pattern, event({ state: 'initializing' }))).toBe(false);
  });

  it('excludes a suffix', () => {
    const pattern = { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } };
    expect(matchesPattern(pattern, event({ FileName: 'data.csv' }))).toBe(true);
    expect(matchesPattern(pattern, event({ FileName: 'notes.txt' }))).toBe(false);
  });

  it('excludes values regardless of case with equals-ignore-case', () => {
    const pattern = {
      detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] },
    };
    expect(matchesPattern(pattern, event({ state: 'running' }))).toBe(true);
    expect(matchesPattern(pattern, event({ state: 'STOPPED' }))).toBe(false);
  });

  it('excludes a wildcard', () => {
    const pattern = { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } };
    expect(matchesPattern(pattern, event({ FilePath: '/usr/bin/node' }))).toBe(true);
    expect(matchesPattern(pattern, event({ FilePath: '/usr/lib/node' }))).toBe(false);
  });

  it('does not match an absent field', () => {
    const pattern = { detail: { state: [{ 'anything-but': 'initializing' }] } };
    expect(matchesPattern(pattern, event({}))).toBe(false);
  });
});

describe('matchesPattern: numeric ("Content filtering in Amazon EventBridge event patterns")', () => {
  const pattern = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };

  it('matches values inside every range', () => {
    expect(
      matchesPattern(pattern, event({ 'c-count': 5, 'd-count': 9.99, 'x-limit': 301.8 })),
    ).toBe(true);
  });

  it('respects open and closed bounds', () => {
    expect(matchesPattern(pattern, event({ 'c-count': 0, 'd-count': 1, 'x-limit': 301.8 }))).toBe(
      false,
    );
    expect(matchesPattern(pattern, event({ 'c-count': 1, 'd-count': 10, 'x-limit': 301.8 }))).toBe(
      false,
    );
    expect(matchesPattern(pattern, event({ 'c-count': 1, 'd-count': 1, 'x-limit': 301 }))).toBe(
      false,
    );
  });

  it('supports >= and <= at the bounds', () => {
    const range = { detail: { n: [{ numeric: ['>=', 10, '<=', 20] }] } };
    expect(matchesPattern(range, event({ n: 10 }))).toBe(true);
    expect(matchesPattern(range, event({ n: 20 }))).toBe(true);
    expect(matchesPattern(range, event({ n: 20.5 }))).toBe(false);
  });

  it('only matches JSON numbers', () => {
    expect(matchesPattern({ detail: { n: [{ numeric: ['>', 0] }] } }, event({ n: '5' }))).toBe(
      false,
    );
  });

  it('matches the documented combined example of prefix, anything-but and numeric', () => {
    const combined = {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
      },
    };
    const detail = { state: 'running', 'c-count': 3, 'd-count': 2, 'x-limit': 400 };
    expect(matchesPattern(combined, event(detail))).toBe(true);
    expect(matchesPattern(combined, event({ ...detail, 'x-limit': 300 }))).toBe(false);
  });
});

describe('matchesPattern: exists ("Content filtering in Amazon EventBridge event patterns")', () => {
  it('exists: true matches a present leaf, including null', () => {
    const pattern = { detail: { state: [{ exists: true }] } };
    expect(matchesPattern(pattern, event({ state: 'running' }))).toBe(true);
    expect(matchesPattern(pattern, event({ state: null }))).toBe(true);
    expect(matchesPattern(pattern, event({}))).toBe(false);
  });

  it('exists: false matches only when the field is absent', () => {
    const pattern = { detail: { 'c-count': [{ exists: false }] } };
    expect(matchesPattern(pattern, event({ state: 'running' }))).toBe(true);
    expect(matchesPattern(pattern, event({ 'c-count': 1 }))).toBe(false);
  });

  it('exists: false matches when an intermediate object is missing too', () => {
    const pattern = { detail: { order: { id: [{ exists: false }] } } };
    expect(matchesPattern(pattern, event({}))).toBe(true);
  });

  it('only works on leaf nodes: an object value does not "exist" as a leaf', () => {
    expect(
      matchesPattern({ detail: { order: [{ exists: true }] } }, event({ order: { id: 1 } })),
    ).toBe(false);
  });
});

describe('matchesPattern: equals-ignore-case ("Content filtering in Amazon EventBridge event patterns")', () => {
  const pattern = {
    'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }],
  };

  it('matches any casing of the value', () => {
    expect(matchesPattern(pattern, event({}))).toBe(true);
    expect(
      matchesPattern(
        pattern,
        event({}, { 'detail-type': 'EC2 INSTANCE STATE-CHANGE NOTIFICATION' }),
      ),
    ).toBe(true);
  });

  it('does not match a different value', () => {
    expect(
      matchesPattern(pattern, event({}, { 'detail-type': 'EC2 Spot Instance Interruption' })),
    ).toBe(false);
  });
});

describe('matchesPattern: wildcard ("Content filtering in Amazon EventBridge event patterns")', () => {
  it('matches any run of characters for each *', () => {
    const pattern = {
      detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    };
    expect(
      matchesPattern(
        pattern,
        event({ EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/shop' }),
      ),
    ).toBe(true);
    expect(
      matchesPattern(
        pattern,
        event({ EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/shop' }),
      ),
    ).toBe(false);
  });

  it('matches the documented file example', () => {
    const pattern = { detail: { Filename: [{ wildcard: 'dir/*.png' }] } };
    expect(matchesPattern(pattern, event({ Filename: 'dir/cat.png' }))).toBe(true);
    expect(matchesPattern(pattern, event({ Filename: 'dir/cat.jpg' }))).toBe(false);
    expect(matchesPattern(pattern, event({ Filename: 'other/cat.png' }))).toBe(false);
  });

  it('treats \\* as a literal star', () => {
    const pattern = { detail: { name: [{ wildcard: 'a\\*b' }] } };
    expect(matchesPattern(pattern, event({ name: 'a*b' }))).toBe(true);
    expect(matchesPattern(pattern, event({ name: 'axb' }))).toBe(false);
  });

  it('treats regular expression characters literally', () => {
    const pattern = { detail: { name: [{ wildcard: 'a.b+*' }] } };
    expect(matchesPattern(pattern, event({ name: 'a.b+c' }))).toBe(true);
    expect(matchesPattern(pattern, event({ name: 'aXbb' }))).toBe(false);
  });
});

describe('matchesPattern: cidr ("Content filtering in Amazon EventBridge event patterns")', () => {
  it('matches IPv4 addresses inside the block', () => {
    const pattern = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };
    expect(matchesPattern(pattern, event({ sourceIPAddress: '10.0.0.255' }))).toBe(true);
    expect(matchesPattern(pattern, event({ sourceIPAddress: '10.0.1.0' }))).toBe(false);
    expect(matchesPattern(pattern, event({ sourceIPAddress: 'not an ip' }))).toBe(false);
  });

  it('matches IPv6 addresses inside the block', () => {
    const pattern = { detail: { sourceIPAddress: [{ cidr: '2001:db8::/64' }] } };
    expect(matchesPattern(pattern, event({ sourceIPAddress: '2001:db8::1' }))).toBe(true);
    expect(matchesPattern(pattern, event({ sourceIPAddress: '2001:db8:0:1::1' }))).toBe(false);
    expect(matchesPattern(pattern, event({ sourceIPAddress: '10.0.0.1' }))).toBe(false);
  });
});

describe('matchesPattern: $or ("Content filtering in Amazon EventBridge event patterns")', () => {
  it('matches when any branch matches (documented example)', () => {
    const pattern = {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    };
    expect(matchesPattern(pattern, event({ 'd-count': 3 }))).toBe(true);
    expect(matchesPattern(pattern, event({ 'x-limit': 301.8 }))).toBe(true);
    expect(matchesPattern(pattern, event({ 'c-count': 50, 'd-count': 50 }))).toBe(false);
  });

  it('combines with sibling fields by AND, including across levels', () => {
    const pattern = {
      source: ['aws.ec2'],
      $or: [{ 'detail-type': ['Started'] }, { detail: { state: ['running'] } }],
    };
    expect(matchesPattern(pattern, event({ state: 'running' }))).toBe(true);
    expect(matchesPattern(pattern, event({ state: 'x' }, { 'detail-type': 'Started' }))).toBe(true);
    expect(matchesPattern(pattern, event({ state: 'x' }))).toBe(false);
    expect(matchesPattern(pattern, event({ state: 'running' }, { source: 'aws.s3' }))).toBe(false);
  });
});

describe('validateEventPattern', () => {
  const invalid: [string, unknown][] = [
    ['a non-object pattern', ['source']],
    ['a bare value instead of a list', { source: 'aws.ec2' }],
    ['an empty list', { source: [] }],
    ['an unknown operator', { source: [{ 'starts-with': 'aws' }] }],
    ['two operators in one matcher', { source: [{ prefix: 'a', suffix: 'b' }] }],
    ['a non-string prefix', { source: [{ prefix: 1 }] }],
    ['a non-boolean exists', { source: [{ exists: 'yes' }] }],
    ['an unknown numeric operator', { n: [{ numeric: ['!=', 1] }] }],
    ['a numeric range with two lower bounds', { n: [{ numeric: ['>', 1, '>=', 2] }] }],
    ['an inverted numeric range', { n: [{ numeric: ['>', 5, '<', 1] }] }],
    ['a numeric operand that is not a number', { n: [{ numeric: ['>', '1'] }] }],
    ['a mixed anything-but list', { n: [{ 'anything-but': ['a', 1] }] }],
    ['an unsupported anything-but operator', { n: [{ 'anything-but': { numeric: ['>', 1] } }] }],
    ['consecutive wildcards', { n: [{ wildcard: 'a**b' }] }],
    ['an invalid CIDR block', { n: [{ cidr: '10.0.0.0/33' }] }],
    ['a $or that is not a list of patterns', { $or: { a: ['b'] } }],
    ['a nested array in a match list', { n: [['a']] }],
  ];

  it.each(invalid)('rejects %s with an InvalidEventPatternError', (_name, pattern) => {
    expect(() => validateEventPattern(pattern)).toThrow(InvalidEventPatternError);
  });

  it('names the offending path in the message', () => {
    expect(() => validateEventPattern({ detail: { state: [{ bogus: 1 }] } })).toThrow(
      /detail\.state\[0\]/,
    );
  });

  it('accepts every documented operator', () => {
    expect(() =>
      validateEventPattern({
        source: ['a', 1, null, true],
        detail: {
          a: [{ prefix: 'x' }, { prefix: { 'equals-ignore-case': 'x' } }, { suffix: 'y' }],
          b: [
            { 'anything-but': 'x' },
            { 'anything-but': [1, 2] },
            { 'anything-but': { prefix: 'p' } },
          ],
          c: [{ numeric: ['>', 0, '<=', 5] }, { exists: false }, { 'equals-ignore-case': 'q' }],
          d: [{ wildcard: 'a*b\\*' }, { cidr: '10.0.0.0/8' }, { cidr: '2001:db8::/32' }],
          $or: [{ e: ['1'] }, { f: ['2'] }],
        },
      }),
    ).not.toThrow();
  });

  it('is applied by matchesPattern before matching', () => {
    expect(() => matchesPattern({ source: 'aws.ec2' }, event({}))).toThrow(
      InvalidEventPatternError,
    );
  });
});
