/**
 * What an island holds for a lab session: the driver (live or simulated), the events so far and the
 * status, with one change callback. Events are delivered in batches (one per microtask) so a burst of
 * reports re-renders the page once, and the events array is replaced, never mutated, so a Svelte
 * $state.raw holding it updates.
 */
import { LiveSession, observeUrl } from './live-session.ts';
import type { DriverListener, LabDriver, SessionEvent, SessionStatus } from './session-events.ts';

/** The timeline keeps this many events; older ones are dropped (an export then says so by starting later). */
export const MAX_SESSION_EVENTS = 5000;

export class SessionHost {
  events: readonly SessionEvent[] = [];
  status: SessionStatus = { state: 'idle' };
  driver: LabDriver | null = null;
  /** Why the live lab is unavailable, kept after a simulation starts so the page can still say it. */
  absentReason: string | null = null;
  readonly #onChange: () => void;
  #pending: SessionEvent[] = [];
  #scheduled = false;
  #generation = 0;

  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  #listener(): DriverListener {
    // Events of a driver that has been replaced are ignored.
    const generation = ++this.#generation;
    return {
      event: (event) => {
        if (generation !== this.#generation) return;
        this.#pending.push(event);
        if (this.#scheduled) return;
        this.#scheduled = true;
        queueMicrotask(() => this.#flush());
      },
      status: (status) => {
        if (generation !== this.#generation) return;
        if (status.state === 'absent') this.absentReason = status.reason;
        this.#flush();
        this.status = status;
        this.#onChange();
      },
    };
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const next = this.events.concat(this.#pending);
    // The page's own events are timed on its clock, reports on the server's: keep the list in time order.
    for (let i = this.events.length; i < next.length; i++) {
      for (let j = i; j > 0 && next[j - 1]!.t > next[j]!.t; j--) [next[j - 1], next[j]] = [next[j]!, next[j - 1]!];
    }
    this.#pending = [];
    this.events = next.length > MAX_SESSION_EVENTS ? next.slice(next.length - MAX_SESSION_EVENTS) : next;
    this.#onChange();
  }

  /** Opens the live lab on this page's origin, or records why there is none. */
  startLive(location: Pick<Location, 'protocol' | 'host'>, base: string, deflate: boolean, watchInspect = false): void {
    this.stop();
    this.events = [];
    const url = observeUrl(location, base, watchInspect);
    const listener = this.#listener();
    if (!url.ok) {
      listener.status({ state: 'absent', reason: url.reason });
      return;
    }
    const live = new LiveSession(url.url, listener, deflate);
    this.driver = live;
    live.start();
  }

  /** The simulation is loaded only when asked for: pages with a lab server never download it. */
  async startSimulation(origin: string, deflate: boolean): Promise<void> {
    this.stop();
    this.events = [];
    const listener = this.#listener();
    this.status = { state: 'connecting' };
    this.#onChange();
    const generation = this.#generation;
    const { SimulatedSession } = await import('./simulated-session.ts');
    if (generation !== this.#generation) return; // stopped or replaced meanwhile
    const simulation = new SimulatedSession(listener, origin);
    this.driver = simulation;
    simulation.start(deflate);
  }

  stop(): void {
    const driver = this.driver;
    this.driver = null;
    driver?.stop();
    this.#generation++;
    this.#pending = [];
    this.#scheduled = false;
  }
}
