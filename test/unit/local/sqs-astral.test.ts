import { describe, expect, it } from '@jest/globals';
import { escapeAstralCharactersInJson } from '../../../local/sqs/astral-escape.ts';
import { SqsService } from '../../../local/sqs/sqs-service.ts';
import { Counters } from '../../../local/util.ts';

describe('characters outside the Basic Multilingual Plane in local SQS messages', () => {
  const event = { detail: { sku: 'MUG-☕', note: 'thanks 😀', nested: ['𝄞 clef'] } };

  it('are escaped in a JSON body, which then parses to the same value', () => {
    const body = escapeAstralCharactersInJson(JSON.stringify(event));
    expect(body).toContain('thanks \\uD83D\\uDE00');
    // A BMP character (☕) is fine as it is.
    expect(body).toContain('MUG-☕');
    expect(JSON.parse(body)).toEqual(event);
  });

  it('leave a body without them, or one that is not JSON, unchanged', () => {
    expect(escapeAstralCharactersInJson('{"a":"b"}')).toBe('{"a":"b"}');
    expect(escapeAstralCharactersInJson('plain text 😀')).toBe('plain text 😀');
  });

  it('reach the queue as the same event instead of being refused (fauxqs 2.4.1 refuses them raw)', async () => {
    const queue = {
      logicalId: 'Queue',
      name: 'astral',
      arn: 'arn:aws:sqs:us-east-1:000000000000:astral',
      url: 'http://127.0.0.1:4566/000000000000/astral',
      fifo: false,
      attributes: {},
    };
    const sqs = await SqsService.start({
      origin: 'http://127.0.0.1:4566',
      queues: [queue],
      counters: new Counters(),
    });
    await sqs.sendMessage(queue.arn, JSON.stringify(event));
    const [message] = await sqs.receive(queue.arn, { max: 1 });
    expect(JSON.parse(message!.Body)).toEqual(event);
  });
});
