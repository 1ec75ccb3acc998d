// What the docs' link check reads from a markdown file: its links (outside code) and the anchors its
// headings get, as GitHub renders them. Pure functions; scripts/doc-links.test.ts applies them to the
// repository's documentation.

export interface MarkdownLink {
  readonly line: number;
  readonly target: string;
}

/** The file's lines with fenced code blocks blanked (kept as empty lines, so line numbers hold). */
function proseLines(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === undefined && opening) {
      fence = (opening[1] as string)[0]?.repeat((opening[1] as string).length);
      return '';
    }
    if (fence !== undefined) {
      if (line.trim().startsWith(fence) && line.trim().replaceAll(fence[0] as string, '') === '')
        fence = undefined;
      return '';
    }
    return line;
  });
}

const withoutCodeSpans = (line: string) => line.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length));

/** Inline links and images (`[text](target)`, `![alt](target "title")`) and reference definitions. */
export function linksOf(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  proseLines(text).forEach((raw, i) => {
    const line = withoutCodeSpans(raw);
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: i + 1, target: m[1] as string });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(line);
    if (definition) links.push({ line: i + 1, target: definition[1] as string });
  });
  return links;
}

/** GitHub's anchor for a heading's text: lower case, punctuation dropped, spaces to hyphens. */
export function slugOf(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replaceAll(' ', '-');
}

/** Every anchor a link may name in this file: its headings' (repeats get -1, -2, ...) and explicit ids. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const line of proseLines(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const slug = slugOf(heading[1] as string);
      const seen = counts.get(slug) ?? 0;
      anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
      counts.set(slug, seen + 1);
    }
    for (const m of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(m[1] as string);
  }
  return anchors;
}

/** A link to another site or protocol (http:, mailto:, ...), which the check leaves alone. */
export const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) && !/^file:/i.test(target);

/** A link to a path that exists only on the machine it was written on. */
export const isAbsolutePath = (target: string) =>
  target.startsWith('/') ||
  target.startsWith('~') ||
  /^file:/i.test(target) ||
  /^[A-Za-z]:[\\/]/.test(target);
