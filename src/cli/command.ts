// The shape every command shares. A command's `spec` module is light (usage and flags, loaded for
// --help and parsing); its `run` module carries the heavy imports and is loaded only when it runs.
import type { ParseArgsConfig } from 'node:util';
import type { ProjectRef } from '../stack/load-stack.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Extra help text: options and examples. */
  readonly help: string;
  readonly options: OptionSpec;
  readonly allowPositionals: boolean;
  /**
   * How many SIGINT/SIGTERM end mkdev at once (the first always aborts the command): 2 by default,
   * "Ctrl-C twice means now". `mkdev run` takes 3: its second signal kills the host process group.
   */
  readonly signalsToExit?: number;
}

export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandInput {
  readonly values: ParsedValues;
  readonly positionals: readonly string[];
  readonly cwd: string;
  readonly signal: AbortSignal;
}

export type CommandRun = (input: CommandInput) => Promise<number>;

/** Flags every stack-facing command accepts. */
export const PROJECT_OPTIONS: OptionSpec = {
  project: { type: 'string', short: 'p' },
  file: { type: 'string', short: 'f' },
  images: { type: 'string' },
};

export const PROJECT_HELP = `  -p, --project <name>  project name (default: the directory name)
  -f, --file <path>     project config (default: ./mkdev.yaml when present)
      --images <file>   image map: official image -> local image (also MKDEV_IMAGES)`;

/** The project the common flags name, as the layers below take it. */
export function projectRef(values: ParsedValues): ProjectRef {
  const [project, file, images] = [
    stringFlag(values, 'project'),
    stringFlag(values, 'file'),
    stringFlag(values, 'images'),
  ];
  return {
    ...(project ? { project } : {}),
    ...(file ? { file } : {}),
    ...(images ? { images } : {}),
  };
}

/** Reads a string flag; parseArgs already checked its type. */
export function stringFlag(values: ParsedValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function boolFlag(values: ParsedValues, name: string): boolean {
  return values[name] === true;
}
