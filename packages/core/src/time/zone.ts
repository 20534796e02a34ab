// Time zones: fixed offsets and IANA zones (through Intl), with offsets cached so a record costs no Intl call.
import { MAX_MILLIS, MILLIS_PER_DAY } from "./instant.js";

/** A time zone as the parsers and formatters need it. */
export interface Zone {
  /** The id it was resolved from (`UTC`, `+01:00`, `Europe/Berlin`). */
  readonly id: string;
  /** True when its offset never changes: no DST, no history. */
  readonly fixed: boolean;
  /** Milliseconds to add to UTC to get local time, at `millis`. */
  offsetAt(millis: number): number;
  /**
   * The UTC instant of a local wall-clock time, as Joda-Time resolves it: in an autumn overlap the
   * earlier instant (the summer offset); in a spring gap none (Joda throws IllegalInstantException,
   * so the pattern does not match).
   */
  toUtc(localMillis: number): number | undefined;
  /** The zone's name for `z` (`UTC`, `EST`, `GMT+1`) and `zzzz`, at `millis`. */
  name(millis: number, long: boolean): string;
}

class FixedZone implements Zone {
  readonly fixed = true;
  constructor(
    readonly id: string,
    private readonly offset: number,
    private readonly label: string,
  ) {}
  offsetAt(): number {
    return this.offset;
  }
  toUtc(localMillis: number): number {
    return localMillis - this.offset;
  }
  name(_millis: number, long: boolean): string {
    return long && this.offset === 0 ? "Coordinated Universal Time" : this.label;
  }
}

/** The UTC zone: what `zoneOption` gives when no time zone is set. */
export const UTC: Zone = new FixedZone("UTC", 0, "UTC");

interface DaySegment {
  /** Offset from the day's start up to `at`, then `after` (equal when the day has no transition). */
  readonly before: number;
  readonly at: number;
  readonly after: number;
}

const MAX_CACHED_DAYS = 4096;

class IanaZone implements Zone {
  readonly fixed = false;
  private readonly parts: Intl.DateTimeFormat;
  private readonly days = new Map<number, DaySegment>();
  private readonly names = new Map<number, string>();

  constructor(readonly id: string) {
    this.parts = new Intl.DateTimeFormat("en-US", {
      timeZone: id,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }

  /** The id Intl resolved this one to: its canonical spelling, or the zone a link names. */
  resolvedId(): string {
    return this.parts.resolvedOptions().timeZone;
  }

  offsetAt(millis: number): number {
    const day = Math.floor(millis / MILLIS_PER_DAY);
    let segment = this.days.get(day);
    if (segment === undefined) {
      segment = this.segment(day * MILLIS_PER_DAY);
      if (this.days.size >= MAX_CACHED_DAYS) this.days.clear();
      this.days.set(day, segment);
    }
    return millis < segment.at ? segment.before : segment.after;
  }

  toUtc(localMillis: number): number | undefined {
    // Offsets lie within ±18 h, so the ones in force a day either side are the only candidates.
    const a = this.offsetAt(localMillis - MILLIS_PER_DAY);
    const b = this.offsetAt(localMillis + MILLIS_PER_DAY);
    const c = this.offsetAt(localMillis);
    let best: number | undefined;
    for (const offset of a === b ? [a, c] : [a, b, c]) {
      const utc = localMillis - offset;
      if (this.offsetAt(utc) === offset && (best === undefined || utc < best)) best = utc;
    }
    return best;
  }

  name(millis: number, long: boolean): string {
    const offset = this.offsetAt(millis);
    const key = long ? offset + 0.5 : offset;
    let name = this.names.get(key);
    if (name === undefined) {
      const format = new Intl.DateTimeFormat("en-US", {
        timeZone: this.id,
        timeZoneName: long ? "long" : "short",
      });
      name = format.formatToParts(clamp(millis)).find((p) => p.type === "timeZoneName")?.value ?? this.id;
      if (this.names.size >= 256) this.names.clear();
      this.names.set(key, name);
    }
    return name;
  }

  /** The offsets over one UTC day: one Intl call at each end, a binary search when they differ. */
  private segment(start: number): DaySegment {
    const last = start + MILLIS_PER_DAY - 1000;
    const before = this.rawOffset(start);
    const after = this.rawOffset(last);
    if (before === after) return { before, at: start + MILLIS_PER_DAY, after };
    // Transitions fall on whole seconds: find the first second with the new offset.
    let lo = start / 1000;
    let hi = last / 1000;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.rawOffset(mid * 1000) === before) lo = mid;
      else hi = mid;
    }
    return { before, at: hi * 1000, after };
  }

  private rawOffset(millis: number): number {
    const t = clamp(Math.floor(millis / 1000) * 1000);
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const part of this.parts.formatToParts(t)) {
      switch (part.type) {
        case "year":
          year = Number(part.value);
          break;
        case "month":
          month = Number(part.value);
          break;
        case "day":
          day = Number(part.value);
          break;
        case "hour":
          hour = Number(part.value);
          break;
        case "minute":
          minute = Number(part.value);
          break;
        case "second":
          second = Number(part.value);
          break;
        case "era":
          bc = part.value.startsWith("B");
          break;
      }
    }
    const date = new Date(0);
    date.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
    date.setUTCHours(hour, minute, second, 0);
    return date.getTime() - t;
  }
}

function clamp(millis: number): number {
  return Math.max(-MAX_MILLIS, Math.min(MAX_MILLIS, millis));
}

const UTC_IDS = new Set([
  "UTC",
  "Z",
  "GMT",
  "UT",
  "Etc/UTC",
  "Etc/GMT",
  "Etc/UCT",
  "UCT",
  "Etc/Zulu",
  "Zulu",
]);
// Joda-Time's offset ids: two-digit hours, then optional minutes, seconds and milliseconds.
const OFFSET_ID = /^([+-])(\d{2})(?::?(\d{2})(?::?(\d{2})(?:\.(\d{3}))?)?)?$/;
const zones = new Map<string, Zone | null>();
const MAX_CACHED_ZONES = 1024;

/**
 * Whether an id Intl took as a link (US/Eastern, Asia/Kolkata) is spelt as the tz database spells ids:
 * each part capitalized, capitals in runs of at most four (EST5EDT, NZ-CHAT). Intl has no list of link
 * spellings to check against.
 */
function tzSpelling(id: string): boolean {
  return id.split("/").every((part) => /^[A-Z]/.test(part)) && !/[A-Z]{5}/.test(id);
}

/**
 * The zone an id names, as Joda-Time's DateTimeZone.forID reads it — `UTC`, a fixed offset with two-digit
 * hours (`+01:00`, `-0800`, `+05:30:00`) or an IANA id known to this Node's ICU, spelt in its case
 * (`Europe/Berlin`) — or undefined. Cached, so ids coming from events cost one lookup each.
 */
export function resolveZone(id: string): Zone | undefined {
  const cached = zones.get(id);
  if (cached !== undefined) return cached ?? undefined;
  const zone = id.length > 64 ? null : buildZone(id);
  if (zones.size >= MAX_CACHED_ZONES) zones.clear();
  zones.set(id, zone);
  return zone ?? undefined;
}

function buildZone(id: string): Zone | null {
  if (UTC_IDS.has(id)) return id === "UTC" ? UTC : new FixedZone(id, 0, "UTC");
  const offset = OFFSET_ID.exec(id);
  if (offset) {
    const hours = Number(offset[2]);
    const minutes = Number(offset[3] ?? "0");
    const seconds = Number(offset[4] ?? "0");
    if (hours > 23 || minutes > 59 || seconds > 59) return null;
    const sign = offset[1] === "-" ? -1 : 1;
    const label = `${offset[1]}${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`;
    const millis = hours * 3_600_000 + minutes * 60_000 + seconds * 1000 + Number(offset[5] ?? "0");
    return new FixedZone(id, sign * millis, label);
  }
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(id)) return null;
  try {
    const zone = new IanaZone(id);
    // Intl reads ids ignoring case; Joda-Time (Logstash) and the tz database do not.
    const known = zone.resolvedId();
    if (known.toLowerCase() === id.toLowerCase() ? known !== id : !tzSpelling(id)) return null;
    return zone;
  } catch {
    return null;
  }
}
