// Writes a Compose file as YAML both docker-compose 1.29 and Compose v2 read the same way.
import { Document } from 'yaml';

/**
 * Compose interpolates ${VAR} and $VAR in every value; the export's values are final (commands full of
 * shell variables), so each $ is doubled, which Compose reads back as one literal $.
 */
function escapeInterpolation(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$/g, '$$$$');
  if (Array.isArray(value)) return value.map(escapeInterpolation);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeInterpolation(v)]));
  }
  return value;
}

export function renderComposeYaml(file: unknown, header: readonly string[]): string {
  // docker-compose 1.29 parses YAML 1.1 (PyYAML): with a 1.1 schema the writer quotes what 1.1 would
  // misread, like `no` (a boolean there) and `1:30` (a base-60 number).
  const doc = new Document(escapeInterpolation(file), { version: '1.1' });
  doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}
