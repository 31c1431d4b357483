/**
 * The JSONPath subset EventBridge evaluates in `InputPath` and `InputPathsMap`:
 * `$`, dot notation (names may contain dashes, as in `$.detail-type`), array
 * indices (`$.resources[0]`) and quoted brackets (`$['odd.name']`).
 */

export type PathSegment = string | number;

/** Parses a path into segments; throws with a clear message when unsupported. */
export function parseJsonPath(path: string): PathSegment[] {
  if (!path.startsWith('$')) throw new Error(`JSONPath must start with $: ${path}`);
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    const char = path[i];
    if (char === '.') {
      const match = /^[^.[\]*]+/.exec(path.slice(i + 1));
      if (!match) throw new Error(`Unsupported JSONPath (empty or wildcard name) at ${i}: ${path}`);
      segments.push(match[0]);
      i += 1 + match[0].length;
    } else if (char === '[') {
      const rest = path.slice(i);
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\[(['"])(.*?)\1\]/.exec(rest);
      if (index?.[1] !== undefined) {
        segments.push(Number(index[1]));
        i += index[0].length;
      } else if (quoted?.[2] !== undefined) {
        segments.push(quoted[2]);
        i += quoted[0].length;
      } else {
        throw new Error(`Unsupported JSONPath bracket at ${i}: ${path}`);
      }
    } else {
      throw new Error(`Unsupported JSONPath at ${i}: ${path}`);
    }
  }
  return segments;
}

/** The value at `path` in `value`, or undefined when the path leads nowhere. */
export function readJsonPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const segment of parseJsonPath(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (Array.isArray(current) || !Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}
