import { describe, expect, it } from "vitest";
import { BufferPool } from "../src/buffer-pool.js";

describe("BufferPool", () => {
  it("lends a released buffer again to a body that fits, and a new one to a body that does not", () => {
    const pool = new BufferPool(2);
    const first = pool.take(3 * 1024 * 1024 + 1);
    expect(first.length).toBe(4 * 1024 * 1024);
    pool.release(first);
    expect(pool.take(100)).toBe(first);
    // Lent out: not lent twice.
    const second = pool.take(100);
    expect(second).not.toBe(first);
    pool.release(first);
    expect(pool.take(5 * 1024 * 1024)).not.toBe(first);
  });

  it("keeps at most `keep` idle buffers, the largest ones", () => {
    const pool = new BufferPool(2);
    const [a, b, c] = [pool.take(1), pool.take(2 * 1024 * 1024), pool.take(3 * 1024 * 1024)];
    pool.release(a);
    pool.release(b);
    pool.release(c);
    expect(pool.idleBytes).toBe(b.length + c.length);
    expect(pool.take(1)).toBe(b);
    expect(pool.take(1)).toBe(c);
    expect(pool.idleBytes).toBe(0);
  });
});
