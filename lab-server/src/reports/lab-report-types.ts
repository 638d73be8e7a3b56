/**
 * The /lab wire format as TypeScript types: what the server reports to an observer, and the commands an
 * observer may send. docs/lab-protocol.md is the prose for the same contract. The lab server, the live
 * wire page and the browser's simulated session all use these types, so none of them can drift.
 */
import type { FrameRecordJson, ViolationJson } from './frame-record-json.ts';

export type Direction = 'client-to-server' | 'server-to-client';

interface ReportBase {
  /** Milliseconds since the session started, microsecond resolution. */
  readonly t: number;
}

interface SubjectReportBase extends ReportBase {
  readonly subject: number;
  /** Present and true on reports about a connection relayed by `--inspect` (see InspectInfo). */
  readonly relay?: true;
}

/** What `npm start -- --inspect ws://...` relays, when it does. */
export interface InspectInfo {
  /** The application's server, as given on the command line. */
  readonly target: string;
  /** Where the application should connect instead, e.g. "ws://127.0.0.1:8455/inspect". */
  readonly url: string;
}

export interface HelloReport extends ReportBase {
  readonly type: 'hello';
  readonly session: string;
  readonly subjectUrl: string;
  readonly protocolVersion: number;
  readonly previewBytes: number;
  /** null unless the server was started with --inspect. */
  readonly inspect: InspectInfo | null;
}

export interface SubjectArrivedReport extends SubjectReportBase {
  readonly type: 'subject';
  readonly peer: string;
  readonly target: string;
}

export interface HandshakeRequestReport extends SubjectReportBase {
  readonly type: 'handshake-request';
  /** ISO-8859-1, one char per byte, exactly as received. */
  readonly raw: string;
}

export interface AcceptReport extends SubjectReportBase {
  readonly type: 'accept';
  readonly key: string;
  readonly concatenated: string;
  readonly sha1Hex: string;
  readonly accept: string;
}

export interface HandshakeResponseReport extends SubjectReportBase {
  readonly type: 'handshake-response';
  readonly status: number;
  readonly raw: string;
  readonly reason?: string;
  readonly section?: string;
}

export interface DeflateParamsJson {
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  readonly serverMaxWindowBits: number;
  readonly clientMaxWindowBits: number;
}

export interface NegotiatedReport extends SubjectReportBase {
  readonly type: 'negotiated';
  readonly protocol: string | null;
  readonly extensions: string | null;
  readonly deflate: DeflateParamsJson | null;
  readonly declinedOffers: readonly { readonly offerIndex: number; readonly reason: string; readonly section: string }[];
}

export interface FrameReport extends SubjectReportBase {
  readonly type: 'frame';
  readonly direction: Direction;
  readonly record: FrameRecordJson;
}

export interface MessageReport extends SubjectReportBase {
  readonly type: 'message';
  readonly direction: Direction;
  readonly opcodeName: 'text' | 'binary';
  readonly byteLength: number;
  readonly compressed: boolean;
  readonly text?: string;
  readonly hex?: string;
  readonly truncated: boolean;
}

export interface ControlReport extends SubjectReportBase {
  readonly type: 'ping' | 'pong';
  readonly direction: Direction;
  readonly hex: string;
}

export interface CloseReceivedReport extends SubjectReportBase {
  readonly type: 'close-received';
  /** Relayed connections only (both ends send close frames through the relay): whose close frame this was. */
  readonly direction?: Direction;
  readonly code: number;
  readonly reason: string;
}

export interface ViolationReport extends SubjectReportBase, ViolationJson {
  readonly type: 'violation';
  /**
   * Relayed connections only: whose bytes broke the rule. The relay is not an endpoint: it still passes
   * the bytes on, but stops decoding that direction.
   */
  readonly direction?: Direction;
}

export interface ClosedReport extends SubjectReportBase {
  readonly type: 'closed';
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

export interface TcpClosedReport extends SubjectReportBase {
  readonly type: 'tcp-closed';
}

/** The server's writes to a subject are stuck (paused) or flowing again (drained): RFC-free, TCP's doing. */
export interface BackpressureReport extends SubjectReportBase {
  readonly type: 'backpressure';
  readonly state: 'paused' | 'drained';
  /** Bytes written by the server but not yet accepted by the kernel's socket buffer. */
  readonly bufferedBytes: number;
}

/** A relayed connection (--inspect): what happened on the lab server's side towards the target. */
export interface UpstreamReport extends SubjectReportBase {
  readonly type: 'upstream';
  readonly target: string;
  /**
   * 'connected' once the target answered 101; 'failed' with a one-line reason when it did not (or the
   * app left first); 'closed' when the target's TCP connection is gone.
   */
  readonly state: 'connected' | 'failed' | 'closed';
  readonly reason?: string;
}

export interface DroppedReport extends ReportBase {
  readonly type: 'dropped';
  readonly count: number;
}

export interface CommandResultReport extends ReportBase {
  readonly type: 'command-result';
  /** The `id` of the command this answers. */
  readonly id: number;
  readonly subject: number | null;
  readonly ok: boolean;
  /** One line saying why the command could not run, when ok is false. */
  readonly error?: string;
}

export type LabReport =
  | HelloReport
  | SubjectArrivedReport
  | HandshakeRequestReport
  | AcceptReport
  | HandshakeResponseReport
  | NegotiatedReport
  | FrameReport
  | MessageReport
  | ControlReport
  | CloseReceivedReport
  | ViolationReport
  | ClosedReport
  | TcpClosedReport
  | BackpressureReport
  | UpstreamReport
  | DroppedReport
  | CommandResultReport;

/** The protocol violations the server can commit on purpose, so the learner sees the browser fail the connection. */
export const SERVER_VIOLATIONS = [
  'rsv2',
  'reserved-opcode',
  'masked-frame',
  'invalid-utf8',
  'long-control',
  'fragmented-control',
  'unexpected-continuation',
] as const;
export type ServerViolationKind = (typeof SERVER_VIOLATIONS)[number];

interface CommandBase {
  /** Chosen by the observer; echoed in the command-result. */
  readonly id: number;
  /** Which subject connection; the most recent open one when absent. */
  readonly subject?: number;
}

/** Commands an observer sends (as JSON text messages) to make the server act on a subject connection. */
export type LabCommand =
  | (CommandBase & { readonly type: 'ping'; readonly text?: string })
  | (CommandBase & { readonly type: 'send-fragmented'; readonly text: string; readonly fragments: number })
  | (CommandBase & { readonly type: 'send-compressed'; readonly text: string })
  | (CommandBase & { readonly type: 'send-interleaved'; readonly text: string })
  /** `reason` defaults to '' (no reason in the close frame). */
  | (CommandBase & { readonly type: 'close'; readonly code: number; readonly reason?: string })
  | (CommandBase & { readonly type: 'violation'; readonly kind: ServerViolationKind })
  | (CommandBase & { readonly type: 'send-large'; readonly bytes: number });

export type LabCommandType = LabCommand['type'];
