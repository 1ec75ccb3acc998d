// Colour that respects NO_COLOR (https://no-color.org), FORCE_COLOR and whether the stream is a terminal.
import type { WriteStream } from 'node:tty';

function colourEnabled(stream: NodeJS.WriteStream | WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

const codes = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
} as const;

export type StyleName = keyof typeof codes;

export function style(name: StyleName, text: string, enabled = colourEnabled()): string {
  if (!enabled) return text;
  const [open, close] = codes[name];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** Rotating colours so each service's log prefix is told apart at a glance. */
const SERVICE_COLOURS: readonly StyleName[] = ['cyan', 'magenta', 'green', 'yellow', 'blue'];

/** The prefix of a log line: the i-th container's label in its own colour. */
export function logPrefix(label: string, index: number, enabled = colourEnabled()): string {
  return `${style(SERVICE_COLOURS[index % SERVICE_COLOURS.length] ?? 'cyan', label, enabled)} | `;
}
