/**
 * fauxqs 2.4.1 refuses message bodies with characters outside the Basic Multilingual
 * Plane (emoji and the like): its character check is a regular expression without the
 * `u` flag, so it sees their UTF-16 halves as forbidden surrogates. SQS itself takes
 * U+10000–U+10FFFF. A JSON body can say the same text with those characters as `\u`
 * escapes, which every JSON parser reads back as the same characters, so the local
 * cloud escapes them in the JSON bodies it sends itself (EventBridge targets, dead-letter
 * and failure destinations) instead of failing every delivery of such an event.
 * A body that is not JSON is left as it is.
 */

const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/;
const SURROGATE_PAIRS = new RegExp(SURROGATE_PAIR.source, 'g');

const escape = (unit: number) => `\\u${unit.toString(16).toUpperCase().padStart(4, '0')}`;

export function escapeAstralCharactersInJson(body: string): string {
  if (!SURROGATE_PAIR.test(body)) return body;
  try {
    JSON.parse(body);
  } catch {
    return body;
  }
  // Outside its strings JSON text is ASCII, so every pair is inside a string.
  return body.replace(
    SURROGATE_PAIRS,
    (pair) => escape(pair.charCodeAt(0)) + escape(pair.charCodeAt(1)),
  );
}
