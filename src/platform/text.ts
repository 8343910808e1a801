/** Text no part of the system can store: NUL, or a UTF-16 surrogate without its pair. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * The path (`/a/0/b`) of the first part of a parsed JSON value for which `bad` holds (object keys
 * are checked as strings too); undefined when none. Iterative: a body may nest thousands deep.
 */
function findIn(value: unknown, bad: (leaf: unknown) => boolean): string | undefined {
  const pending: [unknown, string][] = [[value, '']];
  while (pending.length > 0) {
    const [item, path] = pending.pop()!;
    if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        if (bad(key)) return `${path}/${key.replace(/[^\x20-\x7e]/g, '?')}`;
        pending.push([child, `${path}/${key}`]);
      }
    } else if (bad(item)) {
      return path || '/';
    }
  }
  return undefined;
}

/** Where a request value holds text that cannot be stored (NUL, an unpaired surrogate). */
export const findUnstorableText = (value: unknown): string | undefined =>
  findIn(value, (leaf) => typeof leaf === 'string' && !isStorableText(leaf));

/** Where a request value holds a number that is not finite (Infinity, NaN). */
export const findNonFiniteNumber = (value: unknown): string | undefined =>
  findIn(value, (leaf) => typeof leaf === 'number' && !Number.isFinite(leaf));
