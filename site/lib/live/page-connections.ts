/**
 * Which subject number the server gave each of the page's own connections. The number comes in the
 * server's `subject` report on the observer socket, while the page's open and close events come from
 * the subject socket: two TCP connections, so the browser may run the subject's `open` (and, when it
 * fails at once, its `close`) before the report has been read. Taking "the last number reported" at
 * `open` then names the previous connection, or none, and the close comparison looks for the server's
 * side of the wrong connection.
 *
 * So each connection carries a tag in its URL (`conn=N`, which the server ignores and reports back in
 * the `subject` report's `target`), and a page event waits until its connection's number is known.
 */
import type { PageEvent } from './session-events.ts';

/** The query parameter that tells the page's connections apart (docs/lab-protocol.md, "subject"). */
export const CONNECTION_TAG_PARAM = 'conn';

type NumberedEvent = Extract<PageEvent, { subject: number | null }>;
type Build = (subject: number | null) => NumberedEvent;

interface Tracked {
  number: number | null;
  /** Events held until the number is known; null once we stopped waiting for it. */
  held: Build[] | null;
  /** Its close event has been handed in: once that is out, the connection is forgotten. */
  closed: boolean;
}

export class PageConnections {
  readonly #emit: (event: PageEvent) => void;
  #nextTag = 1;
  readonly #byTag = new Map<string, Tracked>();

  constructor(emit: (event: PageEvent) => void) {
    this.#emit = emit;
  }

  /** A new connection: returns its URL, tagged, and the tag. */
  open(subjectUrl: string): { url: string; tag: string } {
    const tag = String(this.#nextTag++);
    this.#byTag.set(tag, { number: null, held: [], closed: false });
    return { url: `${subjectUrl}${subjectUrl.includes('?') ? '&' : '?'}${CONNECTION_TAG_PARAM}=${tag}`, tag };
  }

  /** The server's `subject` report: the connection whose request target carries our tag is `subject`. */
  identify(target: string, subject: number): void {
    const tag = tagOf(target);
    if (tag === null) return;
    const tracked = this.#byTag.get(tag);
    if (tracked === undefined || tracked.held === null) return;
    tracked.number = subject;
    this.#release(tag, tracked);
  }

  /** An event about one connection: out at once when its number is known, otherwise held until it is. */
  event(tag: string, build: Build): void {
    const tracked = this.#byTag.get(tag);
    if (tracked?.held) tracked.held.push(build);
    else this.#emit(build(tracked?.number ?? null));
  }

  /**
   * No report will come (the observer closed, or the wait ran out): held events go out without a
   * number rather than never. Later events of the connection go out at once, without one too.
   */
  giveUp(tag: string): void {
    const tracked = this.#byTag.get(tag);
    if (tracked?.held) this.#release(tag, tracked);
  }

  giveUpAll(): void {
    for (const tag of [...this.#byTag.keys()]) this.giveUp(tag);
  }

  /** The connection has closed (its close event handed in): forgotten once nothing of it is held. */
  closed(tag: string): void {
    const tracked = this.#byTag.get(tag);
    if (tracked === undefined) return;
    if (tracked.held === null) this.#byTag.delete(tag);
    else tracked.closed = true;
  }

  /** Whether the connection's events still wait for its number. */
  waiting(tag: string): boolean {
    return Boolean(this.#byTag.get(tag)?.held);
  }

  #release(tag: string, tracked: Tracked): void {
    const held = tracked.held ?? [];
    tracked.held = null;
    if (tracked.closed) this.#byTag.delete(tag);
    for (const build of held) this.#emit(build(tracked.number));
  }
}

function tagOf(target: string): string | null {
  const query = target.indexOf('?');
  if (query === -1) return null;
  return new URLSearchParams(target.slice(query + 1)).get(CONNECTION_TAG_PARAM);
}
