import { instantToIso } from "@sluice/core/time";
import { describe, expect, it } from "vitest";
import { parseTai64n } from "../../src/time/tai64n.js";

const iso = (text: string, digits = 3) => {
  const instant = parseTai64n(text);
  return instant === undefined ? undefined : instantToIso(instant, digits);
};

describe("parseTai64n", () => {
  it("reads Logstash's documented label, with or without @, minus a flat 10 s", () => {
    // 0x52f88ea3 = 1392021155 TAI seconds; 0x2489532c = 612979500 ns.
    expect(iso("@4000000052f88ea32489532c")).toBe("2014-02-10T08:32:25.612Z");
    expect(iso("4000000052f88ea32489532c")).toBe("2014-02-10T08:32:25.612Z");
    expect(iso("@4000000052F88EA32489532C", 9)).toBe("2014-02-10T08:32:25.612979500Z");
  });

  it("ignores what follows the 24 hex digits and reads Java's signed hex, as Logstash does", () => {
    expect(iso("@4000000052f88ea32489532cc")).toBe("2014-02-10T08:32:25.612Z");
    expect(iso("@000000000000000000000000 ")).toBe("1969-12-31T23:59:50.000Z");
    expect(iso("@+000000052f88ea32489532c")).toBe("2014-02-10T08:32:25.612Z");
  });

  it("refuses malformed labels", () => {
    for (const t of [
      "",
      "@",
      "@4000000052f88ea3",
      "@4000000052f88ea32489532",
      "@40000000 2f88ea32489532c",
      "@z000000052f88ea32489532c",
      "@f000000052f88ea32489532c",
    ])
      expect(parseTai64n(t)).toBeUndefined();
  });
});
