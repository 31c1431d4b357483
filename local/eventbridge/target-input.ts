import type { TargetDefinition } from '../ports.ts';
import type { EventBridgeEvent } from './event.ts';
import { parseJsonPath, readJsonPath } from './json-path.ts';

/**
 * What a rule target receives, computed as EventBridge does from the target's
 * `Input` (a constant), `InputPath` (a part of the event) or `InputTransformer`
 * (variables picked from the event, substituted into a template). Without any of
 * them the target receives the whole event as JSON.
 */

/** Facts about the delivery that the predefined `aws.events.*` variables expose. */
export interface DeliveryFacts {
  ruleName: string;
  ruleArn: string;
  /** When the bus accepted the event (ISO 8601). */
  ingestionTime: string;
}

const PREDEFINED = [
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event',
  'aws.events.event.json',
  'aws.events.event.ingestion-time',
];

/**
 * Checks a target's input settings when its rule is added, so a bad path fails
 * at start-up (as PutTargets would) rather than at the first event.
 */
export function validateTargetInput(target: TargetDefinition): void {
  const modes = [target.input, target.inputPath, target.inputTransformer].filter(
    (m) => m !== undefined,
  );
  if (modes.length > 1) {
    throw new Error(
      `Target ${target.id}: only one of input, inputPath and inputTransformer may be set`,
    );
  }
  if (target.input !== undefined) {
    try {
      JSON.parse(target.input);
    } catch {
      throw new Error(`Target ${target.id}: input must be valid JSON text`);
    }
  }
  if (target.inputPath !== undefined) parseJsonPath(target.inputPath);
  for (const [name, path] of Object.entries(target.inputTransformer?.inputPathsMap ?? {})) {
    if (PREDEFINED.includes(name))
      throw new Error(`Target ${target.id}: ${name} is a reserved variable name`);
    parseJsonPath(path);
  }
}

/** JSON text of a value; undefined (a path that matched nothing) becomes null. */
const jsonText = (value: unknown) => JSON.stringify(value ?? null);

/** A value as it appears inside a JSON string literal: strings raw, others as JSON, then escaped. */
const insideString = (value: unknown) => {
  const raw = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  return JSON.stringify(raw).slice(1, -1);
};

/**
 * Renders an input template. In a JSON template (one starting with `{`, `[` or
 * `"`), a placeholder outside quotes becomes the variable's JSON value (strings
 * quoted) and one inside quotes its text, escaped for the string. Any other
 * template is plain text and placeholders become the raw text of the value.
 * Unknown placeholders are left as they are.
 */
export function renderInputTemplate(template: string, variables: Map<string, unknown>): string {
  const isJson = /^\s*[{["]/.test(template);
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i]!;
    if (char === '<') {
      const end = template.indexOf('>', i + 1);
      const name = end === -1 ? undefined : template.slice(i + 1, end);
      if (name !== undefined && variables.has(name)) {
        const value = variables.get(name);
        if (!isJson) out += typeof value === 'string' ? value : jsonText(value);
        else out += inString ? insideString(value) : jsonText(value);
        i = end;
        continue;
      }
    }
    if (isJson) {
      if (char === '\\' && inString) {
        out += char + (template[i + 1] ?? '');
        i++;
        continue;
      }
      if (char === '"') inString = !inString;
    }
    out += char;
  }
  return out;
}

/** The payload text a target receives for `event`. */
export function targetInput(
  target: TargetDefinition,
  event: EventBridgeEvent,
  facts: DeliveryFacts,
): string {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined) return jsonText(readJsonPath(event, target.inputPath));
  const transformer = target.inputTransformer;
  if (!transformer) return JSON.stringify(event);
  const variables = new Map<string, unknown>([
    ['aws.events.rule-arn', facts.ruleArn],
    ['aws.events.rule-name', facts.ruleName],
    ['aws.events.event.ingestion-time', facts.ingestionTime],
    ['aws.events.event', event],
    ['aws.events.event.json', event],
  ]);
  for (const [name, path] of Object.entries(transformer.inputPathsMap ?? {})) {
    variables.set(name, readJsonPath(event, path));
  }
  return renderInputTemplate(transformer.inputTemplate, variables);
}
