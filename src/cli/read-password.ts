/**
 * Reads a password for `orzo user add|passwd`: from a terminal, asked twice without echo; from a
 * pipe, its first line (`printf '%s\n' "$PASSWORD" | orzo user add alice`), so that a password
 * never has to appear on a command line, where `ps` shows it to everyone.
 */
import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The password given on standard input; throws when none is, or a terminal's two differ. */
export async function readPassword(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (!stdin.isTTY) {
    const line = await firstLine(stdin);
    if (line === undefined || line === '') throw new Error('no password on standard input');
    return line;
  }
  const first = await askSilently('password: ');
  const second = await askSilently('again: ');
  if (first !== second) throw new Error('the two passwords differ');
  if (first === '') throw new Error('empty password');
  return first;
}

async function firstLine(stdin: NodeJS.ReadStream): Promise<string | undefined> {
  const lines = createInterface({ input: stdin, crlfDelay: Infinity });
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
  }
}

async function askSilently(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  // NOTE: the terminal's own echo setting, restored whatever happens.
  spawnSync('stty', ['-echo'], { stdio: ['inherit', 'ignore', 'ignore'] });
  try {
    return (await firstLine(process.stdin)) ?? '';
  } finally {
    spawnSync('stty', ['echo'], { stdio: ['inherit', 'ignore', 'ignore'] });
    process.stderr.write('\n');
  }
}
