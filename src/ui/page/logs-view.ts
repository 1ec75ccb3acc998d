// Every service's logs merged, coloured per service, filtered by service, level and text; follow and
// pause. The last 10,000 lines are kept; only the rows in view exist in the DOM, so it stays fast.
import type { LogEntry } from '../protocol.ts';
import { h, mount, serviceColour } from './dom.ts';

const KEEP = 10_000;
const ROW = 18;
type Level = 'error' | 'warn' | 'info' | 'debug';
interface Line extends LogEntry {
  readonly level: Level;
  readonly lower: string;
}

export function levelOf(text: string): Level {
  const json = /"(?:level|severity|lvl)"\s*:\s*"?(\w+)/i.exec(text)?.[1]?.toLowerCase();
  const word =
    json ??
    /\b(fatal|panic|error|err|crit(?:ical)?|warn(?:ing)?|info|debug|trace)\b/i
      .exec(text)?.[1]
      ?.toLowerCase() ??
    '';
  if (/^(fatal|panic|error|err|crit|critical|50|60)$/.test(word)) return 'error';
  if (/^(warn|warning|40)$/.test(word)) return 'warn';
  if (/^(debug|trace|10|20)$/.test(word)) return 'debug';
  return 'info';
}

export class LogsView {
  readonly #all: Line[] = [];
  #shown: Line[] = [];
  #service = '';
  #level = '';
  #search = '';
  #follow = true;
  #paused = false;
  #unseen = 0;
  #frame = 0;
  readonly #services = new Set<string>();
  /** Lines containing this (a trace id) are marked. */
  #mark = '';
  readonly #scroller = h('div', { class: 'log-scroller', 'data-logs': '' });
  readonly #spacer = h('div', { class: 'log-spacer' });
  readonly #rows = h('div', { class: 'log-rows' });
  readonly #count = h('span', { class: 'dim log-count' });
  readonly #serviceSelect = h('select', { 'data-filter': 'service' }) as HTMLSelectElement;
  readonly #pauseButton: HTMLElement;
  readonly el: HTMLElement;

  constructor() {
    this.#spacer.append(this.#rows);
    this.#scroller.append(this.#spacer);
    this.#scroller.addEventListener('scroll', () => {
      const atEnd =
        this.#scroller.scrollTop + this.#scroller.clientHeight >= this.#scroller.scrollHeight - ROW;
      this.#follow = atEnd;
      this.#schedule();
    });
    this.#serviceSelect.addEventListener('change', () => this.filter({ service: this.#serviceSelect.value }));
    const level = h(
      'select',
      {
        'data-filter': 'level',
        onchange: (e: Event) => this.filter({ level: (e.target as HTMLSelectElement).value }),
      },
      ...['', 'error', 'warn', 'info', 'debug'].map((l) => h('option', { value: l }, l || 'all levels')),
    );
    const search = h('input', {
      type: 'search',
      placeholder: 'search',
      'data-filter': 'search',
      oninput: (e: Event) => this.filter({ search: (e.target as HTMLInputElement).value }),
    });
    this.#pauseButton = h('button', { 'data-action': 'pause', onclick: () => this.#togglePause() }, 'pause');
    const follow = h(
      'button',
      {
        'data-action': 'follow',
        onclick: () => {
          this.#follow = true;
          this.#schedule();
        },
      },
      'follow',
    );
    this.el = h(
      'div',
      { class: 'logs' },
      h(
        'div',
        { class: 'toolbar' },
        this.#serviceSelect,
        level,
        search,
        follow,
        this.#pauseButton,
        this.#count,
      ),
      this.#scroller,
    );
    this.#fillServices();
  }

  /** Draws again: after the view is shown (a hidden scroller has no height to fill) or resized. */
  refresh(): void {
    this.#schedule();
  }

  /** Forgets every line: the server sends its whole buffer again after a reconnection. */
  reset(): void {
    this.#all.length = 0;
    this.#shown = [];
    this.#unseen = 0;
    this.#schedule();
  }

  add(entries: readonly LogEntry[]): void {
    let newServices = false;
    for (const e of entries) {
      const line: Line = { ...e, level: levelOf(e.text), lower: e.text.toLowerCase() };
      this.#all.push(line);
      if (!this.#services.has(e.service)) {
        this.#services.add(e.service);
        newServices = true;
      }
      if (this.#paused) this.#unseen++;
      else if (this.#matches(line)) this.#shown.push(line);
    }
    // Trimmed once per batch (the server sends one every 50 ms at most), not once per line.
    if (this.#all.length > KEEP) {
      this.#all.splice(0, this.#all.length - KEEP);
      const oldest = this.#all[0]?.seq ?? 0;
      let drop = 0;
      while (drop < this.#shown.length && (this.#shown[drop]?.seq ?? 0) < oldest) drop++;
      if (drop > 0) this.#shown.splice(0, drop);
    }
    if (newServices) this.#fillServices();
    this.#schedule();
  }

  filter(f: { service?: string; level?: string; search?: string }): void {
    if (f.service !== undefined) {
      this.#service = f.service;
      this.#serviceSelect.value = f.service;
    }
    if (f.level !== undefined) this.#level = f.level;
    if (f.search !== undefined) this.#search = f.search.toLowerCase();
    this.#refilter();
    this.#follow = true;
    this.#schedule();
  }

  /**
   * One service's lines around a moment (a span's start), those containing `mark` (its trace id)
   * marked: the view scrolls to the first marked line, else to the first line at or after `atMs`.
   */
  focus(service: string, atMs: number, mark: string): void {
    this.#mark = mark.toLowerCase();
    this.filter({ service, level: '', search: '' });
    let index = this.#shown.findIndex((l) => this.#mark !== '' && l.lower.includes(this.#mark));
    if (index < 0) index = this.#shown.findIndex((l) => l.at >= atMs - 1000);
    if (index < 0) index = this.#shown.length - 1;
    this.#follow = false;
    requestAnimationFrame(() => {
      this.#scroller.scrollTop = Math.max(0, index * ROW - 3 * ROW);
      this.#schedule();
    });
  }

  #matches(l: Line): boolean {
    return (
      (this.#service === '' || l.service === this.#service) &&
      (this.#level === '' || l.level === this.#level) &&
      (this.#search === '' || l.lower.includes(this.#search))
    );
  }

  #refilter(): void {
    this.#shown = this.#all.filter((l) => this.#matches(l));
  }

  #togglePause(): void {
    this.#paused = !this.#paused;
    this.#pauseButton.textContent = this.#paused ? 'resume' : 'pause';
    if (!this.#paused) {
      this.#unseen = 0;
      this.#refilter();
    }
    this.#schedule();
  }

  #fillServices(): void {
    mount(
      this.#serviceSelect,
      h('option', { value: '' }, 'all services'),
      ...[...this.#services].sort().map((s) => h('option', { value: s }, s)),
    );
    this.#serviceSelect.value = this.#service;
  }

  #schedule(): void {
    if (this.#frame === 0) this.#frame = requestAnimationFrame(() => this.#render());
  }

  #render(): void {
    this.#frame = 0;
    const total = this.#shown.length;
    this.#spacer.style.height = `${total * ROW}px`;
    if (this.#follow && !this.#paused) this.#scroller.scrollTop = this.#scroller.scrollHeight;
    const first = Math.max(0, Math.floor(this.#scroller.scrollTop / ROW) - 5);
    const last = Math.min(total, first + Math.ceil(this.#scroller.clientHeight / ROW) + 10);
    this.#rows.style.transform = `translateY(${first * ROW}px)`;
    mount(
      this.#rows,
      ...this.#shown.slice(first, last).map((l) =>
        h(
          'div',
          {
            class: `log-line ${l.level}${l.stream === 'stderr' ? ' stderr' : ''}${this.#mark !== '' && l.lower.includes(this.#mark) ? ' marked' : ''}`,
            'data-service': l.service,
          },
          h('span', { class: 'log-time' }, new Date(l.at).toLocaleTimeString()),
          h(
            'span',
            { class: 'log-svc', style: `color:${serviceColour(l.service)}` },
            `${l.service}-${l.replica}`,
          ),
          h('span', { class: 'log-text' }, l.text),
        ),
      ),
    );
    this.#count.textContent = `${total} of ${this.#all.length} lines${this.#paused ? ` · paused, ${this.#unseen} new` : ''}`;
  }
}
