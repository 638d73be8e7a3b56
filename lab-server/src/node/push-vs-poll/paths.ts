/** The request paths of the experiment (push-vs-poll-types.ts describes each). */
export const PushPath = {
  Observe: '/pvp/observe',
  WebSocket: '/pvp/ws',
  Poll: '/pvp/poll',
  LongPoll: '/pvp/long-poll',
  Sse: '/pvp/sse',
  Send: '/pvp/send',
} as const;
export type PushPath = (typeof PushPath)[keyof typeof PushPath];

export const PUSH_PATH_PREFIX = '/pvp/';

export function isPushVsPollPath(pathname: string): boolean {
  return pathname.startsWith(PUSH_PATH_PREFIX);
}
