/** The damaged stored objects processing met lately, for `/v1/status`. */
import type { StorageDamage } from '../storage/index.ts';

/** One damaged object, where and when it was met, and what was done. */
export interface DamageRecord extends StorageDamage {
  readonly metric: string;
  /** ISO time it was met. */
  readonly at: string;
}

/** How many records a log keeps (the newest): the log holds all of them. */
export const MAX_DAMAGE_RECORDS = 20;

/** The newest {@link MAX_DAMAGE_RECORDS} of `records`, oldest first. */
export function newestDamage(records: readonly DamageRecord[]): DamageRecord[] {
  return records.slice(-MAX_DAMAGE_RECORDS);
}

/** A bounded list of the latest damage, oldest first. */
export class DamageLog {
  #records: DamageRecord[] = [];

  add(metric: string, damage: readonly StorageDamage[], now = new Date()): void {
    if (damage.length === 0) return;
    const at = now.toISOString();
    this.#records = newestDamage([
      ...this.#records,
      ...damage.map((item) => ({ metric, ...item, at })),
    ]);
  }

  records(): readonly DamageRecord[] {
    return this.#records;
  }
}
