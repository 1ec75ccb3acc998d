// `size`, `offset` and `tags` query arguments with Kong's errors.
import { invalidOffset, invalidOptions, invalidSize } from './errors.ts';
import { UUID_RE } from './fields.ts';

const TAG = '[\\x20-\\x2B\\x2D\\x2E\\x30-\\x7E\\u0080-\\uFFFF]+';
const AND_RE = new RegExp(`^(${TAG}(?:,|$))+$`);
const OR_RE = new RegExp(`^(${TAG}(?:/|$))+$`);

export interface PageArgs {
  size: number;
  after: string | null;
  tags: string[] | null;
  tagsCond: 'and' | 'or';
  rawSize: string | null;
  rawTags: string | null;
}

export function encodeOffset(id: string): string {
  return Buffer.from(JSON.stringify([id])).toString('base64');
}

export function parsePageArgs(q: URLSearchParams): PageArgs {
  const rawSize = q.get('size');
  let size = 100;
  if (rawSize !== null) {
    size = Number(rawSize);
    if (rawSize.trim() === '' || Number.isNaN(size)) throw invalidSize('size must be a number');
    if (!Number.isInteger(size) || size < 1 || size > 1000) {
      throw invalidSize('size must be an integer between 1 and 1000');
    }
  }
  const offset = q.get('offset');
  let after: string | null = null;
  if (offset !== null) {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(offset) || offset.length % 4 !== 0) {
      throw invalidOffset(offset, 'bad base64 encoding');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(offset, 'base64').toString('utf8'));
    } catch {
      throw invalidOffset(offset, 'bad json encoding');
    }
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || !UUID_RE.test(parsed[0])) {
      throw invalidOffset(offset, 'bad json encoding');
    }
    after = parsed[0];
  }
  const rawTags = q.get('tags');
  let tags: string[] | null = null;
  let tagsCond: 'and' | 'or' = 'and';
  if (rawTags !== null) {
    if (AND_RE.test(rawTags)) tags = rawTags.split(',').filter(Boolean);
    else if (OR_RE.test(rawTags)) {
      tags = rawTags.split('/').filter(Boolean);
      tagsCond = 'or';
    } else
      throw invalidOptions('invalid option (tags: invalid filter syntax)', { tags: 'invalid filter syntax' });
    if (tags.length > 5) {
      throw invalidOptions('invalid option (tags: cannot query more than 5 tags)', {
        tags: 'cannot query more than 5 tags',
      });
    }
  }
  return { size, after, tags, tagsCond, rawSize, rawTags };
}
