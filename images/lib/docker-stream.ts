import type { Readable } from 'node:stream';

/** One JSON message of the engine's build/import progress stream. */
interface ProgressMessage {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** SGR colour codes the engine wraps around stderr output of RUN steps. */
const ANSI_SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export class DockerStreamError extends Error {
  readonly tail: string[];
  constructor(message: string, tail: string[]) {
    super(message);
    this.name = 'DockerStreamError';
    this.tail = tail;
  }
}

/**
 * Consumes an engine progress stream (newline-delimited JSON) to its end. Keeps the last `tailSize`
 * output lines; rejects with a DockerStreamError carrying them when the engine reports an error.
 * `onLine` sees every output line (for verbose logging).
 */
export async function consumeProgress(
  stream: Readable,
  tailSize = 40,
  onLine?: (line: string) => void,
): Promise<{ lines: string[]; imageId: string | undefined }> {
  const tail: string[] = [];
  let imageId: string | undefined;
  let error: string | undefined;
  let pending = '';
  const push = (text: string) => {
    for (const line of text.split('\n')) {
      const trimmed = line.replace(/\r/g, '').replace(ANSI_SGR, '').trimEnd();
      if (!trimmed) continue;
      tail.push(trimmed);
      if (tail.length > tailSize) tail.shift();
      onLine?.(trimmed);
    }
  };
  const handle = (raw: string) => {
    if (!raw.trim()) return;
    let msg: ProgressMessage;
    try {
      msg = JSON.parse(raw) as ProgressMessage;
    } catch {
      push(raw);
      return;
    }
    if (msg.stream) push(msg.stream);
    if (msg.status) push(msg.status);
    if (msg.aux?.ID) imageId = msg.aux.ID;
    if (msg.error || msg.errorDetail?.message) error = msg.errorDetail?.message ?? msg.error;
  };
  for await (const chunk of stream) {
    pending += (chunk as Buffer).toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) handle(part);
  }
  handle(pending);
  if (error) throw new DockerStreamError(error, tail);
  return { lines: tail, imageId };
}
