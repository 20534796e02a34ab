// Large buffers used again for request bodies, not allocated fresh for every request.

const MiB = 1024 * 1024;

/**
 * A few large buffers lent out (e.g. for request bodies) and given back when nothing reads or writes
 * them any more: a fresh multi-megabyte allocation is paid for page by page when first written, a page
 * fault each, which costs far more than the copy itself under a hypervisor. Holds at most `keep` idle
 * buffers, so what it retains is bounded; beyond that they are left to the collector.
 */
export class BufferPool {
  private readonly idle: Buffer[] = [];

  constructor(private readonly keep = 4) {}

  /** A buffer of at least `size` bytes, to be handed back with `release` once no request uses it. */
  take(size: number): Buffer {
    // The smallest that fits, so the larger ones stay for larger bodies.
    let best = -1;
    for (let i = 0; i < this.idle.length; i++) {
      const length = this.idle[i]!.length;
      if (length >= size && (best < 0 || length < this.idle[best]!.length)) best = i;
    }
    if (best >= 0) return this.idle.splice(best, 1)[0]!;
    // Rounded up, so a body a little larger than the last still finds its buffer next time.
    return Buffer.allocUnsafeSlow(Math.ceil(size / MiB) * MiB);
  }

  release(buffer: Buffer): void {
    if (this.idle.length < this.keep) this.idle.push(buffer);
    else {
      // Keep the largest: a small one would be passed over by every full-size body.
      let smallest = 0;
      for (let i = 1; i < this.idle.length; i++)
        if (this.idle[i]!.length < this.idle[smallest]!.length) smallest = i;
      if (this.idle[smallest]!.length < buffer.length) this.idle[smallest] = buffer;
    }
  }

  /** Bytes held by idle buffers. */
  get idleBytes(): number {
    let n = 0;
    for (const buffer of this.idle) n += buffer.length;
    return n;
  }
}
