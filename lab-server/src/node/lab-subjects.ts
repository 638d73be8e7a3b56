import type { LabSubject } from './lab-subject.ts';

/**
 * The subject connections of one session that commands may act on: those past their handshake whose
 * TCP connection is still there, by number.
 */
export class LabSubjects {
  readonly #byNumber = new Map<number, LabSubject>();
  /** Numbers below this have been handed out (to a subject that may have gone since). */
  #issuedBelow = 1;

  add(subject: LabSubject): void {
    this.#byNumber.set(subject.subject, subject);
    this.#issuedBelow = Math.max(this.#issuedBelow, subject.subject + 1);
  }

  remove(subject: LabSubject): void {
    this.#byNumber.delete(subject.subject);
  }

  clear(): void {
    this.#byNumber.clear();
  }

  find(subject: number): LabSubject | undefined {
    return this.#byNumber.get(subject);
  }

  /** The subject that connected last among those whose connection is still open. */
  latestOpen(): LabSubject | undefined {
    let latest: LabSubject | undefined;
    for (const subject of this.#byNumber.values()) if (subject.isOpen) latest = subject;
    return latest;
  }

  /** True when a subject with this number connected at some point. */
  wasConnected(subject: number): boolean {
    return subject >= 1 && subject < this.#issuedBelow;
  }
}
