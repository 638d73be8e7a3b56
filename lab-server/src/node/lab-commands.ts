/**
 * The observer's commands (LabCommand in lab-report-types.ts, docs/lab-protocol.md "Commands"): the
 * server acts on a subject connection so the learner sees frames a browser's API never sends — a
 * server ping, a fragmented or compressed message, control frames between fragments, a chosen close,
 * a deliberately broken frame, a message big enough to meet TCP's backpressure. Every command gets a
 * `command-result`; whatever the observer sends, the answer is a one-line reason, never a crash.
 */
import { encodeUtf8 } from '../protocol/utf8.ts';
import { describeSocketError, LOG_PREFIX } from './log.ts';
import { parseLabCommand } from '../reports/lab-command-parse.ts';
import type { LabCommand } from '../reports/lab-report-types.ts';
import { clientVerdict, serverViolationFrame } from '../reports/server-violation-frames.ts';
import { writeFragmented, writeInterleaved } from '../reports/fragmented-message.ts';
import type { LabSession } from './lab.ts';
import type { LabSubject } from './lab-subject.ts';

/** send-large: byte i of the message is i mod 256, so a reader can check every byte. */
const LARGE_PATTERN = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Reads, runs and answers one command message from the observer. */
export function runLabCommand(session: LabSession, text: string): void {
  const parsed = parseLabCommand(text);
  if (!parsed.ok) {
    answer(session, parsed.id, parsed.subject, parsed.error);
    return;
  }
  const command = parsed.command;
  const target = resolveSubject(session, command.subject);
  if (typeof target === 'string') {
    answer(session, command.id, command.subject ?? null, target);
    return;
  }
  let error: string | null;
  try {
    error = execute(target, command);
  } catch (caught) {
    // A bug of ours, not the observer's input: one line to the log and to the observer, no crash.
    error = `internal error: ${describeSocketError(caught)}`;
    session.hub.settings.log(`${LOG_PREFIX} /lab/observe session ${session.id} command ${command.type} failed: ${describeSocketError(caught)}`);
  }
  answer(session, command.id, target.subject, error);
}

function answer(session: LabSession, id: number, subject: number | null, error: string | null): void {
  session.report('command-result', { id, subject, ok: error === null, ...(error === null ? {} : { error }) });
}

/** The subject the command names, or the most recent open one; a string says why there is none. */
function resolveSubject(session: LabSession, number: number | undefined): LabSubject | string {
  if (number === undefined) {
    return session.subjects.latestOpen() ?? 'no open subject connection: connect one to the subjectUrl from hello first';
  }
  const subject = session.subjects.find(number);
  if (subject === undefined) {
    return session.subjects.wasConnected(number) ? `subject ${number} is no longer connected` : `no subject ${number} in this session`;
  }
  if (!subject.isOpen) return `subject ${number} is closing: nothing may be sent after a close frame (RFC 6455 §5.5.1)`;
  return subject;
}

/** Runs a command on an open subject; returns null when done, or why it was not. */
function execute(subject: LabSubject, command: LabCommand): string | null {
  const transport = subject.transport!;
  const connection = transport.connection;
  if (command.type !== 'close' && transport.paused) {
    // Backpressure: more output for a peer that is not reading would only pile up in our memory.
    return `subject ${subject.subject} is not reading: ${transport.socket.writableLength} bytes wait to be written; try again once it has drained`;
  }
  switch (command.type) {
    case 'ping':
      connection.ping(encodeUtf8(command.text ?? ''));
      break;
    case 'send-fragmented': {
      const bytes = encodeUtf8(command.text);
      writeFragmented(connection, bytes, command.fragments);
      subject.reportTextSent(command.text, bytes.length, false);
      break;
    }
    case 'send-compressed': {
      if (!subject.compressing) {
        return `permessage-deflate was not negotiated on subject ${subject.subject} (RFC 7692 §6): connect with a client that offers it, without ?deflate=off`;
      }
      const bytes = encodeUtf8(command.text);
      connection.sendTextBytes(bytes, { compress: true });
      subject.reportTextSent(command.text, bytes.length, true);
      break;
    }
    case 'send-interleaved': {
      const bytes = encodeUtf8(command.text);
      writeInterleaved(connection, bytes);
      subject.reportTextSent(command.text, bytes.length, false);
      break;
    }
    case 'close':
      transport.close(command.code, command.reason);
      return null; // close() pumped already
    case 'violation': {
      const frame = serverViolationFrame(command.kind);
      const verdict = clientVerdict(frame);
      if (verdict === null) return `internal error: the core's client accepts the ${command.kind} frame`;
      transport.pump(); // earlier events first, so the marked record is this frame's
      subject.expectViolation(verdict);
      connection.sendRawFrame(frame);
      transport.awaitPeerFailure();
      break;
    }
    case 'send-large': {
      if (!subject.reserveCommandBytes(command.bytes)) {
        const { commandBytes, settings } = subject.session.hub;
        return `the server already holds ${commandBytes} bytes of send-large messages that subjects have not read (limit ${settings.commandQueueBytes}); try again once they have drained`;
      }
      const data = largeMessage(command.bytes);
      // Uncompressed, so the bytes on the wire are the size asked for.
      connection.sendBinary(data, { compress: false });
      subject.reportBinarySent(data, false);
      transport.pump();
      subject.settleCommandBytes();
      return null;
    }
  }
  transport.pump();
  return null;
}

function largeMessage(length: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let at = 0; at < length; at += LARGE_PATTERN.length) {
    data.set(length - at >= LARGE_PATTERN.length ? LARGE_PATTERN : LARGE_PATTERN.subarray(0, length - at), at);
  }
  return data;
}
