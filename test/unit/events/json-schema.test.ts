import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allEvents } from '../../../events/index.ts';
import { eventJsonSchemas } from '../../../events/json-schema.ts';

const dir = join(import.meta.dirname, '..', '..', '..', 'events', 'schemas');

describe('committed JSON Schemas', () => {
  it('are current: `npm run schemas` would not change them', () => {
    const generated = eventJsonSchemas();
    const committed = readdirSync(dir).sort();
    expect(committed).toEqual([...generated.keys()].sort());
    for (const [file, text] of generated) {
      expect(readFileSync(join(dir, file), 'utf8')).toBe(text);
    }
  });

  it('exist for every event and require the whole envelope', () => {
    for (const contract of allEvents) {
      const schema = JSON.parse(
        readFileSync(join(dir, `${contract.detailType}.v${contract.version}.json`), 'utf8'),
      ) as { required: string[]; properties: { type: { const: string } } };
      expect(schema.properties.type.const).toBe(contract.detailType);
      expect(schema.required).toEqual(
        expect.arrayContaining([
          'eventId',
          'type',
          'version',
          'occurredAt',
          'orderId',
          'correlationId',
          'causationId',
          'sequence',
          'data',
        ]),
      );
    }
  });
});
