/**
 * A JSON object as written: every member in order, duplicates kept, so the
 * canonicaliser can see what `JSON.parse` would silently collapse.
 */
export class JsonObject {
  constructor(readonly members: ReadonlyArray<readonly [key: string, value: JsonNode]>) {}
}

/** A parsed JSON value whose objects keep every member. */
export type JsonNode = null | boolean | number | string | JsonNode[] | JsonObject;

/** The text is not JSON the proxy will read (syntax, nesting depth). */
export class JsonSyntaxError extends Error {}

/** Deeper nesting than any engine body needs; bounds the parser's recursion. */
export const MAX_JSON_DEPTH = 32;

const WHITESPACE = /[ \t\n\r]*/y;
/** A string token; `JSON.parse` then refuses what the token may still hold that JSON forbids (raw control characters). */
const STRING = /"(?:[^"\\]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

/**
 * Parses strict JSON (RFC 8259) into a {@link JsonNode} tree.
 * @throws JsonSyntaxError on anything else, or nesting deeper than {@link MAX_JSON_DEPTH}
 */
export function parseJsonTree(text: string): JsonNode {
  let position = 0;

  const fail = (what: string): never => {
    throw new JsonSyntaxError(`invalid JSON at offset ${position}: ${what}`);
  };
  const skipWhitespace = () => {
    WHITESPACE.lastIndex = position;
    WHITESPACE.exec(text);
    position = WHITESPACE.lastIndex;
  };
  const take = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (!match) return undefined;
    position = pattern.lastIndex;
    return match[0];
  };
  const readString = (): string => {
    const token = take(STRING) ?? fail('expected a string');
    try {
      return JSON.parse(token) as string;
    } catch {
      return fail('control character in a string');
    }
  };

  const readValue = (depth: number): JsonNode => {
    if (depth > MAX_JSON_DEPTH) fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    skipWhitespace();
    const next = text[position];
    if (next === '{') {
      position++;
      const members: Array<readonly [string, JsonNode]> = [];
      skipWhitespace();
      if (text[position] === '}') {
        position++;
        return new JsonObject(members);
      }
      for (;;) {
        skipWhitespace();
        const key = readString();
        skipWhitespace();
        if (text[position++] !== ':') fail('expected ":"');
        members.push([key, readValue(depth + 1)]);
        skipWhitespace();
        const separator = text[position++];
        if (separator === '}') return new JsonObject(members);
        if (separator !== ',') fail('expected "," or "}"');
      }
    }
    if (next === '[') {
      position++;
      const items: JsonNode[] = [];
      skipWhitespace();
      if (text[position] === ']') {
        position++;
        return items;
      }
      for (;;) {
        items.push(readValue(depth + 1));
        skipWhitespace();
        const separator = text[position++];
        if (separator === ']') return items;
        if (separator !== ',') fail('expected "," or "]"');
      }
    }
    if (next === '"') return readString();
    const literal = take(LITERAL);
    if (literal !== undefined) return literal === 'null' ? null : literal === 'true';
    const number = take(NUMBER) ?? fail('expected a value');
    return Number(number);
  };

  const value = readValue(0);
  skipWhitespace();
  if (position !== text.length) fail('unexpected text after the value');
  return value;
}
