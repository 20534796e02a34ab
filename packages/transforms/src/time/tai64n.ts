// TAI64N labels (daemontools, qmail) → instants, exactly as Logstash's date filter reads them.
import { type Instant, instantOf } from "@sluice/core/time";

// Logstash subtracts a constant 10 s (TAI−UTC in 1972), not the leap seconds added since.
const TAI_OFFSET_SECONDS = 10;

/**
 * `@4000000052f88ea32489532c` (the `@` optional): 16 hex digits of seconds with the 2^62 label bit
 * masked off, then 8 hex digits of nanoseconds. As Logstash: minus a flat 10 seconds, no leap-second
 * table (so today's labels read 27 s late against true UTC — the same instant Logstash gives).
 */
export function parseTai64n(text: string): Instant | undefined {
  const start = text.charCodeAt(0) === 64 /* @ */ ? 1 : 0;
  if (text.length !== start + 24) return undefined;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return undefined;
  }
  const high = Number.parseInt(text.slice(start, start + 8), 16);
  const low = Number.parseInt(text.slice(start + 8, start + 16), 16);
  const nanos = Number.parseInt(text.slice(start + 16, start + 24), 16);
  // Java's Long.parseLong / Integer.parseInt refuse what does not fit a signed long / int.
  if (high >= 0x8000_0000 || nanos >= 0x8000_0000) return undefined;
  const seconds = (high & 0x3fff_ffff) * 0x1_0000_0000 + low - TAI_OFFSET_SECONDS;
  // Logstash adds nanos / 1e6 as milliseconds; nanoseconds past 1e9 (invalid TAI64N) carry over likewise.
  const millis = seconds * 1000 + Math.floor(nanos / 1_000_000);
  return instantOf(millis, nanos % 1_000_000);
}
