/**
 * The arithmetic behind lesson 1's comparison of polling, long polling and a WebSocket, for one
 * stream of server events. A model, stated plainly: events arrive evenly, the network has a fixed
 * one-way delay, and every HTTP exchange carries headers of a typical size. The WebSocket frame size
 * comes from the protocol core's own header encoder, not from a constant here.
 */
import { Opcode } from '../../lab-server/src/protocol/constants.ts';
import { encodeFrameHeader } from '../../lab-server/src/protocol/frame/serializer.ts';

export interface PushScenario {
  /** Server events per minute. */
  readonly eventsPerMinute: number;
  /** Polling: seconds between requests. */
  readonly pollSeconds: number;
  /** Bytes of application data per event. */
  readonly messageBytes: number;
  /** One-way network delay, milliseconds. */
  readonly oneWayMs: number;
  /** Request plus response headers of one HTTP exchange (cookies and all), bytes. */
  readonly httpHeaderBytes: number;
}

export interface StrategyCost {
  /** Average time from the event on the server to the data at the client, milliseconds. */
  readonly averageDelayMs: number;
  /** HTTP requests or frames per minute. */
  readonly exchangesPerMinute: number;
  /** Bytes on the wire per minute, both directions, beyond the application data itself. */
  readonly overheadBytesPerMinute: number;
}

export interface PushComparison {
  readonly polling: StrategyCost;
  readonly longPolling: StrategyCost;
  readonly webSocket: StrategyCost;
  /** Header bytes of one unmasked server-to-client text frame carrying one event. */
  readonly frameHeaderBytes: number;
}

export function comparePush(scenario: PushScenario): PushComparison {
  const { eventsPerMinute, pollSeconds, messageBytes, oneWayMs, httpHeaderBytes } = scenario;
  const pollsPerMinute = 60 / pollSeconds;
  // Polling: an event waits on average half an interval for the next request, then the response travels.
  const polling: StrategyCost = {
    averageDelayMs: (pollSeconds * 1000) / 2 + oneWayMs,
    exchangesPerMinute: pollsPerMinute,
    overheadBytesPerMinute: pollsPerMinute * httpHeaderBytes,
  };
  // Long polling: the answer leaves at once, but after each answer the client must send a new request
  // (one one-way delay) before the server can answer again; an event in that gap waits for it.
  const gapMs = oneWayMs;
  const intervalMs = 60_000 / Math.max(eventsPerMinute, 1e-9);
  const waitInGap = Math.min(gapMs, intervalMs) ** 2 / (2 * intervalMs);
  const longPolling: StrategyCost = {
    averageDelayMs: oneWayMs + waitInGap,
    exchangesPerMinute: eventsPerMinute,
    overheadBytesPerMinute: eventsPerMinute * httpHeaderBytes,
  };
  // RFC 6455 §5.2: a server frame is a 2-, 4- or 10-byte header and the payload, nothing else.
  const frameHeaderBytes = encodeFrameHeader({ fin: true, opcode: Opcode.Text, payload: new Uint8Array(messageBytes) }).length;
  const webSocket: StrategyCost = {
    averageDelayMs: oneWayMs,
    exchangesPerMinute: eventsPerMinute,
    overheadBytesPerMinute: eventsPerMinute * frameHeaderBytes,
  };
  return { polling, longPolling, webSocket, frameHeaderBytes };
}
