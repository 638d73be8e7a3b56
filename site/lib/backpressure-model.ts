/**
 * Lesson 10: a producer writing messages into a socket, the kernel's socket buffers, and a reader
 * slower than the producer. Simulated in fixed 10 ms steps, deterministic. With "ignore" the
 * producer writes whatever write() returns and the process's queue grows without bound (the memory
 * of an unread WebSocket); with "pause" it stops when the queue passes the high-water mark, as
 * Node's socket.write() returning false asks, and resumes on 'drain' (queue empty). The lab server
 * does the same for its echo: it stops reading the peer whose output it cannot send
 * (maxWriteBufferBytes), so the peer's own TCP window fills and the peer slows down.
 */
export type BackpressurePolicy = 'ignore' | 'pause';

export interface BackpressureParams {
  /** Messages the producer wants to send per second. */
  readonly messagesPerSecond: number;
  readonly messageBytes: number;
  /** How fast the reader consumes, bytes per second. */
  readonly readerBytesPerSecond: number;
  /** The kernel's send plus the peer's receive buffer: bytes in flight TCP holds for us. */
  readonly socketBufferBytes: number;
  /** Queue size at which write() starts returning false (Node's highWaterMark, the lab's maxWriteBufferBytes). */
  readonly highWaterBytes: number;
  readonly policy: BackpressurePolicy;
  readonly seconds: number;
}

export interface BackpressureSample {
  readonly t: number;
  /** Bytes waiting in the process (socket.writableLength, or the browser's bufferedAmount). */
  readonly queued: number;
  /** Bytes in the kernel's buffers. */
  readonly inKernel: number;
  readonly delivered: number;
  readonly paused: boolean;
}

export interface BackpressureResult {
  readonly samples: readonly BackpressureSample[];
  readonly producedBytes: number;
  readonly deliveredBytes: number;
  readonly peakQueuedBytes: number;
  /** How long the last byte written waits before the reader gets it, at the end of the run. */
  readonly finalDelaySeconds: number;
  /** Share of the time the producer was paused. */
  readonly pausedShare: number;
}

export const STEP_SECONDS = 0.01;

export function simulateBackpressure(params: BackpressureParams): BackpressureResult {
  const steps = Math.round(params.seconds / STEP_SECONDS);
  const samples: BackpressureSample[] = [];
  let queued = 0;
  let inKernel = 0;
  let delivered = 0;
  let produced = 0;
  let owed = 0;
  let paused = false;
  let pausedSteps = 0;
  let peak = 0;
  for (let step = 1; step <= steps; step++) {
    // The producer: a fractional message budget per step, spent only when not paused.
    owed += params.messagesPerSecond * STEP_SECONDS;
    while (owed >= 1) {
      owed -= 1;
      if (paused) continue; // a paused producer skips its turn (it would otherwise buffer elsewhere)
      queued += params.messageBytes;
      produced += params.messageBytes;
      // write() returns false once the queue reaches the high-water mark: a well-behaved producer stops.
      if (params.policy === 'pause' && queued >= params.highWaterBytes) paused = true;
    }
    // The kernel takes what fits in its buffers; the reader drains them at its own pace.
    const read = Math.min(inKernel, params.readerBytesPerSecond * STEP_SECONDS);
    inKernel -= read;
    delivered += read;
    const moved = Math.min(queued, params.socketBufferBytes - inKernel);
    queued -= moved;
    inKernel += moved;
    // 'drain': the process's queue is empty again, so the producer may continue.
    if (paused && queued === 0) paused = false;
    if (paused) pausedSteps++;
    peak = Math.max(peak, queued);
    samples.push({ t: step * STEP_SECONDS, queued, inKernel, delivered, paused });
  }
  return {
    samples,
    producedBytes: produced,
    deliveredBytes: delivered,
    peakQueuedBytes: peak,
    finalDelaySeconds: (queued + inKernel) / params.readerBytesPerSecond,
    pausedShare: steps === 0 ? 0 : pausedSteps / steps,
  };
}

/** Formats bytes for the simulation's readouts: B, KiB, MiB. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${Math.round(bytes)} B`;
}
