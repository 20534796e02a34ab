import { SluiceError } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { compileJodaParser, date, parseFieldReference, remap } from "../src/index.js";
import { mutate } from "../src/logstash/mutate.js";
import { runOne } from "./run.js";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("the transforms' errors are SluiceErrors with a code", () => {
  it("at construction: field references, date patterns, zones and locales, VRL programs, Ruby regexes", () => {
    const cases = [
      () => parseFieldReference("a[b]"),
      () => compileJodaParser("yyyy 'unclosed"),
      () => compileJodaParser("yyyy", { timeZone: "Mars/Olympus" }),
      () => compileJodaParser("yyyy", { locale: "not a locale!" }),
      () => remap({ source: ".a = (" }),
      () => mutate({ gsub: ["message", "(?>a)", "b"] }),
      () => date({ match: ["t", "yyyy-MM-ddTHH"] }),
    ];
    for (const fn of cases) {
      const error = thrown(fn);
      expect(error).toBeInstanceOf(SluiceError);
      expect((error as SluiceError).code).toBe("SLUICE_ERR_CONFIG");
    }
  });

  it("per record: a VRL runtime error carries SLUICE_ERR_TRANSFORM", async () => {
    const vrl = await runOne(
      remap({ source: ".x = parse_json!(string!(.s))", drop_on_error: true, reroute_dropped: true }),
      {
        s: "not a number",
      },
    );
    expect(vrl.failure?.code).toBe("SLUICE_ERR_TRANSFORM");
  });
});
