/**
 * The public surface of the protocol core (RFC 6455, RFC 7692): sans-I/O, Uint8Array in and out, no
 * node: imports, so the lab server and the browser visualizers import the same code from here.
 * The connection's internal parts (message-assembler.ts, outgoing.ts) are not exported: hosts use
 * Connection, visualizers use the frame layer and the records.
 */
export * from './constants.ts';
export * from './violation.ts';
export * from './utf8.ts';
export * from './base64.ts';
export * from './sha1.ts';
export * from './hex.ts';

// Frames (RFC 6455 §5)
export type * from './frame/types.ts';
export * from './frame/header.ts';
export * from './frame/parser.ts';
export * from './frame/serializer.ts';
export * from './frame/mask.ts';
export * from './frame/record.ts';
export * from './frame/field-meanings.ts';
export * from './frame/close-payload.ts';

// Opening handshake (RFC 6455 §4)
export * from './handshake/types.ts';
export * from './handshake/headers.ts';
export * from './handshake/http-head.ts';
export * from './handshake/accept.ts';
export * from './handshake/server.ts';
export * from './handshake/client.ts';

// permessage-deflate (RFC 7692)
export type * from './deflate/codec.ts';
export * from './deflate/negotiate.ts';
export * from './deflate/deflate-params.ts';

// The connection (RFC 6455 §5.4-§7)
export type { ConnectionEvent, ConnectionOptions, ConnectionState } from './connection-types.ts';
export * from './connection.ts';
