/**
 * Bounds a map used as a cache: past `max` entries, the oldest (in insertion order) are dropped
 * down to 90% of `max`, in one pass. Dropping one oldest entry per insertion is far slower than
 * it looks: each `keys().next()` walks past every slot deleted before it in V8's ordered hash
 * table (27 µs an eviction at 50,000 entries, measured, against 0.35 µs in batches).
 */
export function trimOldest<Key, Value>(map: Map<Key, Value>, max: number): void {
  if (map.size <= max) return;
  let excess = map.size - Math.floor(max * 0.9);
  for (const key of map.keys()) {
    if (excess-- <= 0) return;
    map.delete(key);
  }
}
