/**
 * Resource limits of the lab server, as named defaults. RFC 6455 leaves all of these to the
 * implementation (§10.4: "implementations ... SHOULD impose implementation-specific limits"), so
 * each one is an option of startLabServer with the value below as its default.
 */
export const ServerDefaults = {
  port: 8455,
  host: '127.0.0.1',
  /** Sockets of every kind (handshaking, HTTP, WebSocket). 10,000 idle WebSockets must fit with room. */
  maxConnections: 20_000,
  /** A request head larger than this gets 431 (RFC 6585 §5). */
  maxHeadBytes: 16 * 1024,
  /** A client that has not sent a complete request head by then is disconnected (slowloris defence). */
  handshakeTimeoutMs: 10_000,
  /** RFC 6455 §7.1.1 and §7.1.7: how long we wait for the peer's side of the closing handshake, or for its TCP close. */
  closeTimeoutMs: 5_000,
  /** Largest message after reassembly and inflation (RFC 6455 §10.4); larger ones close with 1009. */
  maxMessageBytes: 16 * 1024 * 1024,
  /**
   * Freed C-heap memory the process keeps mapped rather than giving back to the kernel (lab-server/native/heap.c):
   * V8 frees Node's 64 KiB socket-read buffers in batches of up to its 64 MiB external-memory step, so the bound
   * matches that batch. Below it, each batch went back to the kernel and faulted in again on the next reads.
   */
  keptFreedHeapBytes: 64 * 1024 * 1024,
  /** Bytes queued on a socket beyond which we stop reading from it until it drains (backpressure). */
  maxWriteBufferBytes: 1024 * 1024,
  /** /lab: payload bytes kept per frame record. */
  recordPreviewBytes: 4096,
  /** /lab: reports (serialized JSON) waiting for a slow observer beyond which reports are dropped. */
  observerQueueBytes: 1024 * 1024,
  /**
   * /lab: bytes that observers' send-large commands may have waiting, server-wide, on subjects that have
   * not read them yet (four 16 MiB messages); a command beyond it is refused until subjects drain.
   */
  commandQueueBytes: 64 * 1024 * 1024,
  /** Bound on a graceful shutdown: WebSockets still open after this are destroyed. */
  shutdownTimeoutMs: 2_000,
  /** After an HTTP rejection we keep reading (and discarding) this long, so our response is not lost to a TCP reset. */
  rejectLingerMs: 2_000,
} as const;
