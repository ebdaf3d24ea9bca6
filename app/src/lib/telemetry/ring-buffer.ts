// A fixed-size buffer that keeps the newest items: the last client errors, for bug
// reports. Pure; persistence to sessionStorage lives in errors.ts.
export class RingBuffer<T> {
  readonly capacity: number;
  #items: T[];

  constructor(capacity: number, items: readonly T[] = []) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.capacity = capacity;
    this.#items = items.slice(-capacity);
  }

  /** Add an item; the oldest one goes when the buffer is full. */
  push(item: T): void {
    this.#items.push(item);
    if (this.#items.length > this.capacity) this.#items.splice(0, this.#items.length - this.capacity);
  }

  /** Oldest first. A copy: changing it does not change the buffer. */
  toArray(): T[] {
    return this.#items.slice();
  }

  get size(): number {
    return this.#items.length;
  }

  clear(): void {
    this.#items = [];
  }
}
