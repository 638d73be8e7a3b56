/**
 * A binary min-heap of the simulation's client streams, keyed by the time of each stream's next step
 * (ties: the stream's order, so a run replays exactly). Hundreds of clients stay cheap to merge.
 */
import type { SimStep } from './sim-clients.ts';

export interface Stream {
  readonly steps: Generator<SimStep>;
  readonly order: number;
  next: SimStep;
}

const before = (a: Stream, b: Stream): boolean =>
  a.next.exchange.t < b.next.exchange.t || (a.next.exchange.t === b.next.exchange.t && a.order < b.order);

export class StepQueue {
  readonly #heap: Stream[] = [];

  push(steps: Generator<SimStep>, order: number): void {
    const first = steps.next();
    if (first.done === true) return;
    this.#heap.push({ steps, order, next: first.value });
    this.#up(this.#heap.length - 1);
  }

  /** The next step of every stream still going (in no particular order). */
  pending(): SimStep[] {
    return this.#heap.map((stream) => stream.next);
  }

  peek(): SimStep | undefined {
    return this.#heap[0]?.next;
  }

  /** Removes the earliest step and queues its stream's following one. */
  take(): SimStep | undefined {
    const top = this.#heap[0];
    if (top === undefined) return undefined;
    const taken = top.next;
    const following = top.steps.next();
    if (following.done === true) {
      const last = this.#heap.pop();
      if (last !== undefined && this.#heap.length > 0) {
        this.#heap[0] = last;
        this.#down(0);
      }
    } else {
      top.next = following.value;
      this.#down(0);
    }
    return taken;
  }

  #up(index: number): void {
    const heap = this.#heap;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const [child, above] = [heap[i], heap[parent]];
      if (child === undefined || above === undefined || !before(child, above)) break;
      heap[i] = above;
      heap[parent] = child;
      i = parent;
    }
  }

  #down(index: number): void {
    const heap = this.#heap;
    let i = index;
    for (;;) {
      let smallest = i;
      for (const child of [2 * i + 1, 2 * i + 2]) {
        const candidate = heap[child];
        const current = heap[smallest];
        if (candidate !== undefined && current !== undefined && before(candidate, current)) smallest = child;
      }
      if (smallest === i) return;
      const [a, b] = [heap[i], heap[smallest]];
      if (a === undefined || b === undefined) return;
      heap[i] = b;
      heap[smallest] = a;
      i = smallest;
    }
  }
}
