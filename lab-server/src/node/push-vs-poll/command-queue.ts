/**
 * The observer's commands, one after another: a stop waits (bounded) for its start's closing handshakes
 * before its final stats and `stopped` go out, and a command that comes meanwhile waits for it. The
 * queue is bounded: an observer that floods commands gets a one-line refusal per extra command.
 */
import { PushLimits } from './limits.ts';

export type CommandStep = () => Promise<void> | void;

export class CommandQueue {
  readonly #refuse: (message: string) => void;
  readonly #fail: (error: unknown) => void;
  #steps: CommandStep[] = [];
  #running = false;
  #closed = false;

  constructor(refuse: (message: string) => void, fail: (error: unknown) => void) {
    this.#refuse = refuse;
    this.#fail = fail;
  }

  push(step: CommandStep): void {
    if (this.#closed) return;
    if (this.#steps.length >= PushLimits.maxQueuedCommands) {
      this.#refuse(`more than ${PushLimits.maxQueuedCommands} commands wait for a stop to finish: send fewer`);
      return;
    }
    this.#steps.push(step);
    if (!this.#running) void this.#run();
  }

  /** The run ended: what waits is dropped, nothing more is taken. */
  close(): void {
    this.#closed = true;
    this.#steps = [];
  }

  async #run(): Promise<void> {
    this.#running = true;
    for (let step = this.#steps.shift(); step !== undefined; step = this.#steps.shift()) {
      try {
        await step();
      } catch (error) {
        this.#fail(error);
      }
    }
    this.#running = false;
  }
}
