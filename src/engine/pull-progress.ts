// The engine's pull stream (one JSON object per layer event, as POST /images/create writes it) made into
// progress a person can read: layers done of layers seen, and bytes downloaded of the layers' known
// sizes. Pure, so it is tested on recorded streams (test/fixtures/pull-streams/).

/** One object of the engine's pull stream. */
export interface PullStreamEvent {
  readonly status?: string;
  readonly id?: string;
  readonly progressDetail?: { readonly current?: number; readonly total?: number };
  readonly error?: string;
}

/** How far an image's pull is: what the reporters show and `--json` prints. */
export interface PullProgress {
  readonly image: string;
  readonly layers: { readonly done: number; readonly total: number };
  /** Bytes downloaded, of the sizes of the layers whose size the engine has said so far. */
  readonly bytes: { readonly current: number; readonly total: number };
}

interface Layer {
  current: number;
  total: number;
  done: boolean;
}

/** The statuses after which a layer's download is whole (its bytes count in full). */
const DOWNLOADED = new Set(['Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']);

/** Follows one image's pull stream; `feed` says when the progress moved enough to show. */
export class PullTracker {
  readonly #layers = new Map<string, Layer>();
  #shown = '';
  readonly image: string;

  constructor(image: string) {
    this.image = image;
  }

  /**
   * Takes one event; returns the progress when a layer finished or appeared, or the downloaded share
   * moved by a whole percent (so a 1 GB pull reports about a hundred times, not once per chunk).
   */
  feed(event: PullStreamEvent): PullProgress | undefined {
    const layer = this.#layerOf(event);
    if (layer === undefined) return undefined;
    const status = event.status ?? '';
    const detail = event.progressDetail;
    if (status === 'Downloading' && detail?.total !== undefined && detail.total > 0) {
      // A download the engine resumed after a broken connection reports what is left, from 0: the
      // bytes it already has are the layer's size less the new total (seen here against a local
      // registry: 0.1 of 8.0 MB, then 2.0 of 2.0 MB for the same layer).
      const resumedAt = layer.total > detail.total ? layer.total - detail.total : 0;
      layer.total = Math.max(layer.total, detail.total);
      layer.current = resumedAt + (detail.current ?? 0);
    } else if (DOWNLOADED.has(status)) {
      if (status === 'Extracting' && layer.total === 0 && detail?.total) layer.total = detail.total;
      layer.current = layer.total;
    }
    if (status === 'Pull complete' || status === 'Already exists') layer.done = true;
    const progress = this.progress;
    const key = `${progress.layers.done}/${progress.layers.total} ${percent(progress.bytes)}`;
    if (key === this.#shown) return undefined;
    this.#shown = key;
    return progress;
  }

  get progress(): PullProgress {
    const layers = [...this.#layers.values()];
    return {
      image: this.image,
      layers: { done: layers.filter((l) => l.done).length, total: layers.length },
      bytes: {
        current: layers.reduce((sum, l) => sum + l.current, 0),
        total: layers.reduce((sum, l) => sum + l.total, 0),
      },
    };
  }

  /** A layer event: one with an id that is not the stream's opening line ("Pulling from library/x", id = the tag). */
  #layerOf(event: PullStreamEvent): Layer | undefined {
    if (event.id === undefined || event.status === undefined || event.status.startsWith('Pulling from ')) {
      return undefined;
    }
    let layer = this.#layers.get(event.id);
    if (layer === undefined) {
      layer = { current: 0, total: 0, done: false };
      this.#layers.set(event.id, layer);
    }
    return layer;
  }
}

/** The engine retries a layer whose download broke ("Retrying in 5 seconds"): a sign the registry may be gone. */
export function isRetry(event: PullStreamEvent): boolean {
  return event.status?.startsWith('Retrying in ') === true;
}

/** Whole percent of the known bytes (0 while no size is known). */
export function percent(bytes: PullProgress['bytes']): number {
  return bytes.total === 0 ? 0 : Math.floor((bytes.current * 100) / bytes.total);
}

/** "2/3 layers, 19.8 MB of 28.0 MB". */
export function describePull(progress: PullProgress): string {
  const { layers, bytes } = progress;
  const size = bytes.total === 0 ? '' : `, ${megabytes(bytes.current)} of ${megabytes(bytes.total)}`;
  return `${layers.done}/${layers.total} layers${size}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
