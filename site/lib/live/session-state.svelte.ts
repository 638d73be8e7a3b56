/**
 * A SessionHost seen through Svelte runes, for the islands that show a lab session (the live wire page and
 * the lessons' live panels): a template or $derived that reads a field here re-renders when the host changes.
 */
import { SessionHost } from './session-host.ts';
import type { SessionEvent, SessionStatus } from './session-events.ts';

export class SessionState {
  events = $state.raw<readonly SessionEvent[]>([]);
  status = $state.raw<SessionStatus>({ state: 'idle' });
  absentReason = $state<string | null>(null);
  simulated = $state(false);
  readonly host: SessionHost = new SessionHost(() => {
    this.events = this.host.events;
    this.status = this.host.status;
    this.absentReason = this.host.absentReason;
    this.simulated = this.host.driver?.simulated ?? false;
  });

  /** The live lab on this page's origin (see SessionHost.startLive); the label says "live" at once. */
  startLive(base: string, deflate: boolean, watchInspect = false): void {
    this.simulated = false;
    this.host.startLive(location, base, deflate, watchInspect);
  }

  startSimulation(deflate: boolean): void {
    void this.host.startSimulation(location.origin, deflate);
  }
}
