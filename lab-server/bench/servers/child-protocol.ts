/**
 * IPC between the bench process and a server child. The server under test runs alone in its child so the
 * load generator never shares its event loop; the child answers measurement requests over the IPC channel.
 */

export interface ReadyMessage {
  readonly type: 'ready';
  readonly port: number;
  readonly path: string;
  /** One line describing the server and what it loaded (e.g. native addons). */
  readonly info: string;
}

export interface Sample {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly connections: number;
  /** Process CPU time (user + system) in microseconds since start. */
  readonly cpuMicros: number;
  /**
   * The user part of cpuMicros: the process's own code (JavaScript, V8, libc, addons) without the kernel's work
   * for its syscalls. Over loopback TCP the kernel's copies cost both servers alike; this is where they differ.
   */
  readonly userMicros: number;
  /** Minor page faults since start: pages the process touched that the kernel had to map (again). */
  readonly minorFaults: number;
}

export interface SampleRequest {
  readonly type: 'sample';
  readonly id: number;
  /** Run a full GC first (the child is started with --expose-gc). */
  readonly gc: boolean;
}

export interface SampleReply {
  readonly type: 'sample';
  readonly id: number;
  readonly sample: Sample;
}

export interface StopRequest {
  readonly type: 'stop';
}

export type ToChild = SampleRequest | StopRequest;
export type FromChild = ReadyMessage | SampleReply;

export interface BenchServer {
  readonly port: number;
  readonly path: string;
  readonly info: string;
  connectionCount(): number;
  close(): Promise<void>;
}

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function takeSample(server: BenchServer, gc: boolean): Promise<Sample> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (gc && collect !== undefined) {
    // Several passes with turns of the event loop between them, so weak callbacks and finalizers settle.
    for (let pass = 0; pass < 3; pass++) {
      collect();
      await immediate();
    }
  }
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    connections: server.connectionCount(),
    cpuMicros: cpu.user + cpu.system,
    userMicros: cpu.user,
    minorFaults: process.resourceUsage().minorPageFault,
  };
}

/** Child side: start the server, report 'ready', answer samples, stop on request or when the parent goes away. */
export async function serveBenchChild(start: () => Promise<BenchServer>): Promise<void> {
  const send = process.send?.bind(process);
  if (send === undefined) {
    console.error('bench server child: must be started with an IPC channel (by the bench runner)');
    process.exit(2);
  }
  const server = await start();
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // Bounded: a server that does not close in time must not hang the benchmark.
    const timer = setTimeout(() => process.exit(0), 3000);
    timer.unref();
    try {
      await server.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('message', (message: ToChild) => {
    if (message.type === 'stop') void stop();
    else if (message.type === 'sample') {
      void takeSample(server, message.gc).then((sample) => {
        const reply: SampleReply = { type: 'sample', id: message.id, sample };
        send(reply);
      });
    }
  });
  process.on('disconnect', () => void stop());
  const ready: ReadyMessage = { type: 'ready', port: server.port, path: server.path, info: server.info };
  send(ready);
}
