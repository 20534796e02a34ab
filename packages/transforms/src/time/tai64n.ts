// TAI64N labels (daemontools, qmail) → instants, exactly as Logstash's date filter reads them.
import { type Instant, instantOf } from "@sluice/core/time";

// Logstash subtracts a constant 10 s (TAI−UTC in 1972), not the leap seconds added since.
const TAI_OFFSET_SECONDS = 10n;
const LABEL_MASK = (1n << 62n) - 1n;

/** Java's Long.parseLong / Integer.parseInt in base 16: an optional sign, hex digits, within `bits` signed bits. */
function parseSignedHex(text: string, bits: 32 | 64): bigint | undefined {
  if (!/^[+-]?[0-9a-fA-F]+$/.test(text)) return undefined;
  const negative = text.charCodeAt(0) === 45; /* - */
  const digits = text.charCodeAt(0) === 43 || negative ? text.slice(1) : text;
  const value = BigInt(`0x${digits}`) * (negative ? -1n : 1n);
  return BigInt.asIntN(bits, value) === value ? value : undefined;
}

/**
 * `@4000000052f88ea32489532c` (the `@` optional): 16 hex digits of seconds with the 2^62 label bit
 * masked off, then 8 hex digits of nanoseconds; what follows them is ignored. As Logstash: minus a flat
 * 10 seconds, no leap-second table (so today's labels read 27 s late against true UTC — the same instant
 * Logstash gives), in Java's 64-bit arithmetic.
 */
export function parseTai64n(text: string): Instant | undefined {
  const start = text.charCodeAt(0) === 64 /* @ */ ? 1 : 0;
  if (text.length < start + 24) return undefined;
  const label = parseSignedHex(text.slice(start, start + 16), 64);
  const nanos = parseSignedHex(text.slice(start + 16, start + 24), 32);
  if (label === undefined || nanos === undefined) return undefined;
  const seconds = (label & LABEL_MASK) - TAI_OFFSET_SECONDS;
  // Logstash adds nanos / 1e6 (Java's division, toward zero) as milliseconds, in wrapping long arithmetic.
  const millis = BigInt.asIntN(64, BigInt.asIntN(64, seconds * 1000n) + nanos / 1_000_000n);
  const subMillis = Number(nanos % 1_000_000n);
  return instantOf(Number(millis), Math.max(subMillis, 0));
}
