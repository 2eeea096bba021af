/**
 * Python's `repr()` of floats and strings, for messages that must read exactly as Gnocchi's.
 */

/**
 * Renders a double as Python's `repr(float)`: the shortest digits that read back (the same digits
 * JavaScript picks), in positional notation with at least one decimal when the decimal exponent
 * is in [-4, 16), else as `1e+16` / `1.5e-05`.
 */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa = '', exponentText = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const exponentSign = exponent < 0 ? '-' : '+';
    const exponentDigits = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${digits.slice(0, 1)}${fraction}e${exponentSign}${exponentDigits}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1) || '0';
  return `${sign}${whole}.${fraction}`;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * Renders a string as Python's `repr(str)`: single quotes unless the text holds a single quote
 * and no double quote, with control characters escaped (other characters are kept as they are,
 * as Python does for printable ones).
 */
export function pythonStrRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let body = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === quote) body += `\\${quote}`;
    else if (ESCAPES[char] !== undefined) body += ESCAPES[char];
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) {
      body += `\\x${code.toString(16).padStart(2, '0')}`;
    } else body += char;
  }
  return quote + body + quote;
}
