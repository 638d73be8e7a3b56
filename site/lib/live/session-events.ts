/**
 * What a live (or simulated) lab session shows: the server's reports (lab-report-types.ts, the
 * contract) and what the page itself saw of its subject socket, which no server can report (the close
 * event a browser gives its page, for one). Both land in one ordered list, the session's events.
 */
import type { FrameRecordJson } from '../../../lab-server/src/reports/frame-record-json.ts';
import type { FrameReport, LabCommand, LabReport } from '../../../lab-server/src/reports/lab-report-types.ts';

/** What the page's own WebSocket (the subject) told the page. `t` is on the session's clock too. */
export type PageEvent =
  | { readonly type: 'page-open'; readonly t: number; readonly subject: number | null; readonly extensions: string }
  | { readonly type: 'page-close'; readonly t: number; readonly subject: number | null; readonly code: number; readonly reason: string; readonly wasClean: boolean }
  | { readonly type: 'page-error'; readonly t: number; readonly message: string }
  | { readonly type: 'page-command'; readonly t: number; readonly command: LabCommand };

export type SessionEvent = LabReport | PageEvent;

/** A command without its id: the session numbers commands itself. */
export type CommandRequest = LabCommand extends infer C ? (C extends LabCommand ? Omit<C, 'id'> : never) : never;

export type SessionStatus =
  | { readonly state: 'idle' }
  | { readonly state: 'connecting' }
  | { readonly state: 'open'; readonly simulated: boolean }
  | { readonly state: 'closed'; readonly simulated: boolean }
  /** No lab server answered: the reason is shown as is, with how to start one. */
  | { readonly state: 'absent'; readonly reason: string };

/** The live session and the simulation both drive the page through this. */
export interface LabDriver {
  readonly simulated: boolean;
  /** Opens a subject connection (again), with or without permessage-deflate offered or accepted. */
  connect(deflate: boolean): void;
  sendText(text: string): boolean;
  sendBinary(bytes: Uint8Array): boolean;
  /** Sends a command to the server side; returns its id, or null when there is no session to send it on. */
  command(request: CommandRequest): number | null;
  /** Closes the page's subject socket (code 1000) like a page calling close(). */
  closeSubject(code?: number, reason?: string): void;
  /** Ends the whole session. */
  stop(): void;
}

export interface DriverListener {
  event(event: SessionEvent): void;
  status(status: SessionStatus): void;
}

export function isFrameReport(event: SessionEvent): event is FrameReport {
  return event.type === 'frame';
}

/** Opcodes 0x8-0xF are control frames (RFC 6455 §5.5). */
export function isControlRecord(record: FrameRecordJson): boolean {
  return record.opcode >= 0x8;
}
