/** Text no part of the system can store: NUL, or a UTF-16 surrogate without its pair. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * The path (`/a/0/b`) of the first string in a parsed JSON value, object key or value, that is
 * not storable text; undefined when every string is.
 */
export function findUnstorableText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path || '/';
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findUnstorableText(value[index], `${path}/${index}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (!isStorableText(key)) return `${path}/${key.replace(/[^\x20-\x7e]/g, '?')}`;
      const found = findUnstorableText(item, `${path}/${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The path of the first number in a parsed value that is not finite (Infinity, NaN); undefined if none. */
export function findNonFiniteNumber(value: unknown, path = ''): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path || '/';
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = findNonFiniteNumber(item, `${path}/${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
