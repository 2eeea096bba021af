/**
 * Detection of floats that are short decimals, the series format's "decimal" value mode (see
 * serialize.ts): a value v is exact at exponent e when the integer i = Math.round(v · 10^e), with
 * |i| <= {@link MAX_DECIMAL_INTEGER}, gives back v bit for bit as i / 10^e. The decoder performs
 * that very division, so the round trip is exact by construction rather than by argument.
 * −0, NaN and ±Infinity are never exact (their integer could not give them back).
 */

/**
 * 10^0 through 10^22, every one exactly representable; literals, rather than `10 ** e`, so that
 * no engine's `pow` can make an encoder and a decoder disagree.
 */
export const POWERS_OF_TEN: readonly number[] = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22,
];

/** The largest exponent tried. */
export const MAX_DECIMAL_EXPONENT = POWERS_OF_TEN.length - 1;

/**
 * The bound on the magnitude of the integers, so that their deltas and the ranges of those stay
 * below 2^53 and exact.
 */
export const MAX_DECIMAL_INTEGER = 2 ** 50;

/**
 * The smallest exponent at which every value is exact, writing the integers to `ints`, or −1 if
 * there is none (then `ints` holds garbage).
 */
export function findDecimalExponent(values: Float64Array, ints: Float64Array): number {
  let exponent = 0;
  for (;;) {
    const failed = toDecimalIntegers(values, ints, POWERS_OF_TEN[exponent] as number);
    if (failed === values.length) return exponent;
    // NOTE: exactness at e does not imply exactness at e + 1 (v · 10^(e+1) rounds anew), so a
    // larger exponent is checked against every value again.
    exponent = smallestExponentFor(values[failed] as number, exponent + 1);
    if (exponent < 0) return -1;
  }
}

/** Fills `ints` with the integers of `values` at scale `power`; the index of the first inexact. */
function toDecimalIntegers(values: Float64Array, ints: Float64Array, power: number): number {
  if (power === 1) return toIntegers(values, ints);
  for (let k = 0; k < values.length; k++) {
    const v = values[k] as number;
    const i = Math.round(v * power);
    // NOTE: isExact spelled out, as engines do not always inline it in this hot loop.
    if (!(i / power === v && Math.abs(i) <= MAX_DECIMAL_INTEGER) || (v === 0 && 1 / v < 0)) {
      return k;
    }
    ints[k] = i;
  }
  return values.length;
}

/** {@link toDecimalIntegers} at exponent 0, where the value is its own integer. */
function toIntegers(values: Float64Array, ints: Float64Array): number {
  for (let k = 0; k < values.length; k++) {
    const v = values[k] as number;
    if (!(Math.floor(v) === v && Math.abs(v) <= MAX_DECIMAL_INTEGER) || Object.is(v, -0)) return k;
    ints[k] = v;
  }
  return values.length;
}

function smallestExponentFor(value: number, from: number): number {
  for (let e = from; e <= MAX_DECIMAL_EXPONENT; e++) {
    const power = POWERS_OF_TEN[e] as number;
    if (isExact(value, Math.round(value * power), power)) return e;
  }
  return -1;
}

function isExact(value: number, int: number, power: number): boolean {
  // NOTE: `===` alone would accept −0, whose integer 0 decodes to +0.
  return (
    int / power === value && Math.abs(int) <= MAX_DECIMAL_INTEGER && (value !== 0 || 1 / value > 0)
  );
}
