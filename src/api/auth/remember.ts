/**
 * Puts an entry last in a map used as a bounded cache, dropping the first (least recently put)
 * one when the map holds more than `max`. Callers that want a hit to count as a use delete the
 * key before putting it back.
 */
export function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
}
