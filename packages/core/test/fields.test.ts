import { describe, expect, it } from "vitest";
import {
  fieldOption,
  getField,
  hasReferences,
  parseFieldReference,
  SluiceConfigError,
  sprintf,
} from "../src/index.js";

describe("field access in core", () => {
  it("reads a field by a Logstash reference", () => {
    expect(getField({ a: { b: [1, 2] } }, parseFieldReference("[a][b][1]"))).toBe(2);
  });

  it("fails an option's malformed reference naming the option", () => {
    expect(() => fieldOption("sink", "id.field", "a[b]")).toThrow(SluiceConfigError);
    expect(() => fieldOption("sink", "id.field", "a[b]")).toThrow(/id\.field/);
  });

  it("leaves a %{+date} as written without a formatter, and formats it with one", () => {
    const doc = { host: "h", "@timestamp": "2024-05-06T07:08:09Z" };
    expect(hasReferences("logs-%{host}-%{+yyyy}")).toBe(true);
    expect(sprintf("logs-%{host}-%{+yyyy}")(doc)).toBe("logs-h-%{+yyyy}");
    const year = (millis: number, pattern: string) =>
      pattern === "yyyy" ? String(new Date(millis).getUTCFullYear()) : pattern;
    expect(sprintf("logs-%{host}-%{+yyyy}", year)(doc)).toBe("logs-h-2024");
  });
});
