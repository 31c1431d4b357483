import * as z from 'zod/mini';
import { allEvents } from './catalog.ts';

/**
 * JSON Schema (draft 2020-12) of every event's `detail`, keyed by file name, for
 * consumers outside this repo to validate against and diff between versions.
 * Generated from the zod contracts so the two can never disagree.
 */
export function eventJsonSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const contract of allEvents) {
    const schema = {
      $id: `urn:shop:events:${contract.source}:${contract.detailType}:v${contract.version}`,
      title: contract.detailType,
      description: `detail of EventBridge events with source "${contract.source}" and detail-type "${contract.detailType}"`,
      ...z.toJSONSchema(contract.schema, { io: 'input' }),
    };
    files.set(
      `${contract.detailType}.v${contract.version}.json`,
      `${JSON.stringify(schema, null, 2)}\n`,
    );
  }
  return files;
}
