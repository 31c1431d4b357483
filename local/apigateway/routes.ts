import type { RouteDefinition } from '../template/model.ts';

/**
 * API Gateway (REST) route selection: the most specific resource wins, segment by
 * segment (a literal beats `{param}`, which beats the greedy `{proxy+}`), then the
 * exact HTTP method beats `ANY`.
 */

export type RouteResult =
  | { kind: 'match'; route: RouteDefinition; pathParameters: Record<string, string> }
  /** No resource matches the path, or the resource has no such method: API Gateway answers 403. */
  | { kind: 'missing' };

type Segment =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string }
  | { kind: 'greedy'; name: string };

function parseResourcePath(resourcePath: string): Segment[] {
  return resourcePath
    .split('/')
    .filter((s) => s !== '')
    .map((s): Segment => {
      const greedy = /^\{(.+)\+\}$/.exec(s);
      if (greedy) return { kind: 'greedy', name: greedy[1]! };
      const param = /^\{(.+)\}$/.exec(s);
      if (param) return { kind: 'param', name: param[1]! };
      return { kind: 'literal', value: s };
    });
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Matches a path against a resource: the path parameters and a rank (lower = more specific), or undefined. */
export function matchResource(
  resourcePath: string,
  path: string,
): { pathParameters: Record<string, string>; rank: number[] } | undefined {
  const pattern = parseResourcePath(resourcePath);
  const segments = path.split('/').filter((s) => s !== '');
  const pathParameters: Record<string, string> = {};
  const rank: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segments[i];
    if (p.kind === 'greedy') {
      // A greedy variable takes one or more remaining segments and must come last.
      if (s === undefined || i !== pattern.length - 1) return undefined;
      pathParameters[p.name] = segments.slice(i).map(decode).join('/');
      rank.push(2);
      return { pathParameters, rank };
    }
    if (s === undefined) return undefined;
    if (p.kind === 'literal') {
      if (decode(s) !== p.value) return undefined;
      rank.push(0);
    } else {
      pathParameters[p.name] = decode(s);
      rank.push(1);
    }
  }
  return segments.length === pattern.length ? { pathParameters, rank } : undefined;
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -1;
    const y = b[i] ?? -1;
    if (x !== y) return x - y;
  }
  return 0;
}

/** Selects the route for a request (method upper case; path without stage or query). */
export function selectRoute(
  routes: readonly RouteDefinition[],
  method: string,
  path: string,
): RouteResult {
  const byResource = new Map<string, RouteDefinition[]>();
  for (const route of routes) {
    const list = byResource.get(route.resourcePath) ?? [];
    list.push(route);
    byResource.set(route.resourcePath, list);
  }
  let best:
    { resourcePath: string; pathParameters: Record<string, string>; rank: number[] } | undefined;
  for (const resourcePath of byResource.keys()) {
    const match = matchResource(resourcePath, path);
    if (match && (!best || compareRanks(match.rank, best.rank) < 0))
      best = { resourcePath, ...match };
  }
  if (!best) return { kind: 'missing' };
  const candidates = byResource.get(best.resourcePath) ?? [];
  const route =
    candidates.find((r) => r.httpMethod === method.toUpperCase()) ??
    candidates.find((r) => r.httpMethod === 'ANY');
  return route
    ? { kind: 'match', route, pathParameters: best.pathParameters }
    : { kind: 'missing' };
}
