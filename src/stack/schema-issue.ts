// One schema issue as a user reads it: the field, the value given, and the values or form allowed.
// Zod's own wording ("Invalid input") names neither, so each kind of issue is reworded here.
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

export interface DescribedIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** A value as it appeared in the file, short enough for one line. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key as string];
  }
  return node;
}

const KIND: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  int: 'a whole number',
};

/** The branch of a union the user most likely meant: the one whose type matched (its issues are deeper). */
function bestBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  const typed = branches.filter((b) => !b.some((i) => i.code === 'invalid_type' && i.path.length === 0));
  if (typed.length === 0) return undefined;
  return [...typed].sort(
    (a, b) => Math.max(...b.map((i) => i.path.length)) - Math.max(...a.map((i) => i.path.length)),
  )[0];
}

export function describeIssue(
  issue: Issue,
  input: unknown,
  base: readonly PropertyKey[] = [],
): DescribedIssue {
  const path = [...base, ...issue.path];
  const given = valueAt(input, path);
  const got = `got ${showValue(given)}`;
  switch (issue.code) {
    case 'invalid_union': {
      const branch = bestBranch(issue.errors);
      const first = branch?.[0];
      if (first) return describeIssue(first, input, path);
      const kinds = [
        ...new Set(
          issue.errors.flatMap((b) =>
            b.filter((i) => i.code === 'invalid_type').map((i) => KIND[String(i.expected)] ?? i.expected),
          ),
        ),
      ];
      return { path, message: `${got}; expected ${kinds.join(' or ') || 'another form'}` };
    }
    case 'invalid_value':
      return {
        path,
        message: `${got}; allowed: ${issue.values.map((v) => (typeof v === 'string' ? v : String(v))).join(', ')}`,
      };
    case 'invalid_type':
      if (given === undefined)
        return { path, message: `missing; expected ${KIND[issue.expected] ?? issue.expected}` };
      return { path, message: `${got}; expected ${KIND[issue.expected] ?? issue.expected}` };
    case 'unrecognized_keys':
      return {
        path: [...path, issue.keys[0] as string],
        message: `unknown field '${issue.keys.join("', '")}'`,
      };
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const word = issue.code === 'too_small' ? 'at least' : 'at most';
      const what =
        issue.origin === 'string' || issue.origin === 'array'
          ? ` ${issue.origin === 'string' ? 'characters' : 'entries'}`
          : '';
      return { path, message: `${got}; expected ${word} ${String(bound)}${what}` };
    }
    case 'invalid_key': {
      const inner = issue.issues[0]?.message;
      const rule = inner === undefined || inner.startsWith('Invalid') ? 'not allowed here' : inner;
      return { path, message: `name '${String(path[path.length - 1])}' is not valid: ${rule}` };
    }
    default: {
      const message = issue.message.startsWith('Invalid') ? 'expected another form' : issue.message;
      return { path, message: `${got}; ${message}` };
    }
  }
}
