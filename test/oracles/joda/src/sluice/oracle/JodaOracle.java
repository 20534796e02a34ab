package sluice.oracle;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;
import org.joda.time.format.DateTimeFormat;
import org.joda.time.format.DateTimeFormatter;
import org.joda.time.format.ISODateTimeFormat;

/**
 * Logstash's date filter as its Java side drives Joda-Time, one JSON request per line:
 * {"patterns": [...], "locale"?, "timezone"?, "inputs": [...], "now"?, "zones"?} answered with
 * {"results": [{"ok": iso, "millis": n} | {"failed": true}]} or {"error": why} for a refused configuration;
 * {"patterns": [p], "locale"?, "timezone"?, "print": [millis...]} answers {"printed": [text...]}, Joda's rendering.
 * A timezone holding a %{field} template is the date filter's dynamic one: "zones" gives each event's value of it.
 */
public final class JodaOracle {
  private JodaOracle() {}

  /** One match pattern: what it makes of an event's value, or an IllegalArgumentException when it does not read it. */
  interface Reader {
    long read(Object value, String eventZone);
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) continue;
      JsonObject answer;
      try {
        answer = answer(JsonParser.parseString(line).getAsJsonObject());
      } catch (RuntimeException e) {
        answer = new JsonObject();
        answer.addProperty("error", "oracle: " + e);
      }
      out.println(answer);
      out.flush();
    }
  }

  static JsonObject answer(JsonObject request) {
    String locale = text(request.get("locale"));
    String timezone = text(request.get("timezone"));
    JsonElement nowField = request.get("now");
    Long now = nowField == null || nowField.isJsonNull() ? null : nowField.getAsLong();
    // The filter replaces a POSIX underscore before reading the tag; Sluice's default is English and UTC.
    Locale loc = Locale.forLanguageTag(locale == null ? "en" : locale.replace('_', '-'));
    String zone = timezone == null ? "UTC" : timezone;
    if (request.has("print")) return print(request.getAsJsonArray("patterns").get(0).getAsString(), loc, zone, request.getAsJsonArray("print"));
    List<Reader> readers = new ArrayList<>();
    try {
      for (JsonElement pattern : request.getAsJsonArray("patterns"))
        readers.add(reader(pattern.getAsString(), loc, zone, now));
    } catch (IllegalArgumentException e) {
      JsonObject refused = new JsonObject();
      refused.addProperty("error", String.valueOf(e.getMessage()));
      return refused;
    }
    JsonArray results = new JsonArray();
    JsonArray inputs = request.getAsJsonArray("inputs");
    JsonArray zones = request.has("zones") ? request.getAsJsonArray("zones") : null;
    for (int i = 0; i < inputs.size(); i++)
      results.add(result(readers, value(inputs.get(i)), zones == null ? null : zones.get(i).getAsString()));
    JsonObject answer = new JsonObject();
    answer.add("results", results);
    return answer;
  }

  /** Joda's own rendering of instants with a pattern: the texts a Java application would log. */
  private static JsonObject print(String pattern, Locale locale, String zone, JsonArray instants) {
    JsonObject answer = new JsonObject();
    try {
      DateTimeFormatter printer = DateTimeFormat.forPattern(pattern).withLocale(locale).withZone(DateTimeZone.forID(zone));
      JsonArray printed = new JsonArray();
      for (JsonElement millis : instants) printed.add(printer.print(millis.getAsLong()));
      answer.add("printed", printed);
    } catch (IllegalArgumentException e) {
      answer.addProperty("error", String.valueOf(e.getMessage()));
    }
    return answer;
  }

  private static String text(JsonElement e) {
    return e == null || e instanceof JsonNull ? null : e.getAsString();
  }

  /** An event field's value as Logstash's JSON decoding gives it: String, Long, Double or BigInteger. */
  private static Object value(JsonElement e) {
    JsonPrimitive p = e.getAsJsonPrimitive();
    if (p.isString()) return p.getAsString();
    if (!p.isNumber()) throw new IllegalArgumentException("inputs are strings or numbers");
    String literal = p.getAsString();
    if (literal.contains(".") || literal.contains("e") || literal.contains("E")) return Double.parseDouble(literal);
    try {
      return Long.parseLong(literal);
    } catch (NumberFormatException tooLarge) {
      return new BigInteger(literal);
    }
  }

  /** The first pattern that reads the value wins, as DateFilter.executeParsers tries them. */
  private static JsonObject result(List<Reader> readers, Object value, String eventZone) {
    JsonObject result = new JsonObject();
    for (Reader reader : readers) {
      try {
        long millis = reader.read(value, eventZone);
        result.addProperty("ok", iso(millis));
        result.addProperty("millis", millis);
        return result;
      } catch (IllegalArgumentException e) {
        // DateFilter catches only this (and IOException): the next pattern is tried.
      } catch (RuntimeException e) {
        // Anything else escapes the filter in Logstash; the event is not dated either way.
        result.addProperty("failed", true);
        result.addProperty("escaped", e.getClass().getSimpleName());
        return result;
      }
    }
    result.addProperty("failed", true);
    return result;
  }

  private static final java.time.format.DateTimeFormatter ISO =
      java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

  private static String iso(long millis) {
    return ISO.format(java.time.Instant.ofEpochMilli(millis));
  }

  /** TimestampParserFactory's choice: the four names, else a Joda pattern. */
  private static Reader reader(String pattern, Locale locale, String zone, Long now) {
    switch (pattern) {
      case "ISO8601":
        return text(iso8601(zone));
      case "UNIX":
        return (value, eventZone) -> unixSeconds(value);
      case "UNIX_MS":
        return (value, eventZone) -> unixMillis(value);
      case "TAI64N":
        return text((value, eventZone) -> tai64n(value));
      default:
        return text(joda(pattern, locale, zone, now));
    }
  }

  interface TextReader {
    long read(String value, String eventZone);
  }

  /** TextParserExecutor: only strings are read. */
  private static Reader text(TextReader reader) {
    return (value, eventZone) -> {
      if (!(value instanceof String)) throw new IllegalArgumentException("not a string");
      return reader.read((String) value, eventZone);
    };
  }

  /** CasualISO8601Parser: Joda's ISO date-time parser, then four space-separated forms, all in the zone. */
  private static TextReader iso8601(String zone) {
    DateTimeZone z = DateTimeZone.forID(zone);
    DateTimeFormatter[] parsers = {
      ISODateTimeFormat.dateTimeParser().withZone(z),
      DateTimeFormat.forPattern("yyyy-MM-dd HH:mm:ss.SSSZ").withZone(z),
      DateTimeFormat.forPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(z),
      DateTimeFormat.forPattern("yyyy-MM-dd HH:mm:ss,SSSZ").withZone(z),
      DateTimeFormat.forPattern("yyyy-MM-dd HH:mm:ss,SSS").withZone(z),
    };
    // CasualISO8601Parser reads the zone it was made with, even when the filter's timezone is a template.
    return (value, eventZone) -> {
      IllegalArgumentException last = null;
      for (DateTimeFormatter parser : parsers) {
        try {
          return parser.parseMillis(value);
        } catch (IllegalArgumentException e) {
          last = e;
        }
      }
      throw last;
    };
  }

  /**
   * JodaParser: the pattern with the locale and zone; without a year letter anywhere in the pattern, the date is
   * read with Joda's default year, then moved to the clock's year (December read in January is last year's,
   * January read in December next year's).
   */
  private static TextReader joda(String pattern, Locale locale, String zone, Long now) {
    boolean hasYear = pattern.contains("Y") || pattern.contains("y");
    boolean hasZone = pattern.contains("Z");
    // The factory makes a template zone's parser in the default zone; each event's zone then replaces it.
    boolean dynamic = zone.contains("%{");
    DateTimeFormatter parser =
        DateTimeFormat.forPattern(pattern).withLocale(locale).withZone(DateTimeZone.forID(dynamic ? null : zone));
    // Joda centres two-digit years on the year the pattern was compiled minus 30: the clock's, when it is fixed.
    if (now != null) parser = parser.withPivotYear(new DateTime(now.longValue(), DateTimeZone.UTC).getYear() - 30);
    DateTimeFormatter base = parser;
    return (value, eventZone) -> {
      DateTimeFormatter reader = dynamic ? base.withZone(DateTimeZone.forID(eventZone)) : base;
      if (hasYear) return reader.parseMillis(value);
      DateTime read =
          hasZone
              ? reader.parseDateTime(value)
              : reader.withZoneUTC().parseLocalDateTime(value).toDateTime(reader.getZone());
      // Logstash's clock is a DateTime in the JVM's default zone, which the oracle runs in UTC.
      DateTime clock = now == null ? new DateTime() : new DateTime(now.longValue());
      int year = clock.getYear();
      if (read.getMonthOfYear() == 12 && clock.getMonthOfYear() == 1) year--;
      else if (read.getMonthOfYear() == 1 && clock.getMonthOfYear() == 12) year++;
      return read.withYear(year).getMillis();
    };
  }

  private static final long MAX_EPOCH_SECONDS = Integer.MAX_VALUE;

  /** UnixEpochParser: strings split at the first dot, three fraction digits at most; Doubles times 1000. */
  private static long unixSeconds(Object value) {
    if (value instanceof String) {
      String s = (String) value;
      int dot = s.indexOf('.');
      if (dot < 0) return secondsToMillis(Long.parseLong(s));
      long millis = secondsToMillis(Long.parseLong(s.substring(0, dot)));
      int digits = Math.min(3, s.length() - dot - 1);
      long fraction = Long.parseLong(s.substring(dot + 1, dot + 1 + digits));
      return millis + fraction * (digits == 1 ? 100 : digits == 2 ? 10 : 1);
    }
    if (value instanceof Long) return secondsToMillis((Long) value);
    if (value instanceof Double) {
      double d = (Double) value;
      if ((long) d > MAX_EPOCH_SECONDS) throw new IllegalArgumentException("larger than the UNIX epoch maximum");
      return (long) (d * 1000);
    }
    throw new IllegalArgumentException("cannot read a " + value.getClass().getSimpleName());
  }

  private static long secondsToMillis(long seconds) {
    if (seconds > MAX_EPOCH_SECONDS) throw new IllegalArgumentException("larger than the UNIX epoch maximum");
    return seconds * 1000;
  }

  /** UnixMillisEpochParser: a long, a string Long.parseLong reads, or a Double truncated. */
  private static long unixMillis(Object value) {
    if (value instanceof String) return Long.parseLong((String) value);
    if (value instanceof Long) return (Long) value;
    if (value instanceof Double) return ((Double) value).longValue();
    throw new IllegalArgumentException("cannot read a " + value.getClass().getSimpleName());
  }

  /** TAI64NParser: 16 hex digits of seconds (label bit masked), 8 of nanoseconds, minus a flat 10 s. */
  private static long tai64n(String value) {
    int start = value.startsWith("@") ? 1 : 0;
    long seconds = Long.parseLong(value.substring(start, start + 16), 16) & ((1L << 62) - 1);
    int nanos = Integer.parseInt(value.substring(start + 16, start + 24), 16);
    seconds -= 10;
    return seconds * 1000 + nanos / 1_000_000;
  }
}
