/** What a client sends upstream, by POST body or WebSocket text frame: both lanes hold it to the same rule. */
import type { UpstreamMessage } from '../../reports/push-vs-poll-types.ts';

/** The message must be an UpstreamMessage; otherwise a one-line reason. */
export function parseUpstream(text: string): UpstreamMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the body must be JSON: {"seq":N,"sentAt":MS,"text":"..."}';
  }
  const message = value as Partial<UpstreamMessage> | null;
  if (message === null || typeof message !== 'object' || typeof message.seq !== 'number' || typeof message.sentAt !== 'number' || typeof message.text !== 'string') {
    return 'the body must be an upstream message: {"seq":N,"sentAt":MS,"text":"..."}';
  }
  return message as UpstreamMessage;
}
