import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addTag,
  deleteField,
  fieldOption,
  getField,
  hasField,
  parseFieldReference,
  removeTag,
  setField,
  sprintf,
} from "../../src/fields/index.js";

describe("parseFieldReference", () => {
  it("reads Logstash references: a bare name is one key, dots included; brackets walk in", () => {
    expect(parseFieldReference("message")).toEqual(["message"]);
    expect(parseFieldReference("kubernetes.host")).toEqual(["kubernetes.host"]);
    expect(parseFieldReference("[kubernetes][labels][app]")).toEqual(["kubernetes", "labels", "app"]);
    expect(parseFieldReference("[@metadata][kafka][topic]")).toEqual(["@metadata", "kafka", "topic"]);
    expect(parseFieldReference("[tags][0]")).toEqual(["tags", "0"]);
  });

  it("refuses what Logstash's strict mode refuses", () => {
    for (const bad of ["", "a[b]", "[a", "[a]b", "[]", "[a][]", "[a[b]]"]) {
      expect(() => parseFieldReference(bad), bad).toThrow(/invalid field reference/);
    }
    expect(() => fieldOption("mutate", "rename.from", "[a")).toThrow(
      "mutate: option `rename.from` invalid field reference",
    );
  });
});

describe("getField / setField / deleteField", () => {
  it("gets, sets (creating objects) and deletes nested fields and array elements", () => {
    const doc: Record<string, unknown> = { a: { b: 1 }, list: ["x", "y", "z"] };
    expect(getField(doc, ["a", "b"])).toBe(1);
    expect(getField(doc, ["list", "-1"])).toBe("z");
    expect(getField(doc, ["list", 1])).toBe("y");
    expect(getField(doc, ["a", "missing", "deeper"])).toBeUndefined();
    expect(setField(doc, ["c", "d", "e"], true)).toBe(true);
    expect(doc.c).toEqual({ d: { e: true } });
    expect(setField(doc, ["list", "0"], "first")).toBe(true);
    expect(doc.list).toEqual(["first", "y", "z"]);
    expect(deleteField(doc, ["list", "1"])).toBe(true);
    expect(doc.list).toEqual(["first", "z"]);
    expect(deleteField(doc, ["a", "b"])).toBe(true);
    expect(hasField(doc, ["a", "b"])).toBe(false);
    expect(deleteField(doc, ["a", "b"])).toBe(false);
  });

  it("refuses to go through a scalar, leaving the document as it was", () => {
    const doc: Record<string, unknown> = { a: "text" };
    expect(setField(doc, ["a", "b", "c"], 1)).toBe(false);
    expect(doc).toEqual({ a: "text" });
    expect(setField(doc, [], 1)).toBe(false);
    const withList: Record<string, unknown> = { list: [1] };
    expect(setField(withList, ["list", 3], 2)).toBe(false);
    expect(withList).toEqual({ list: [1] });
    // A numeric segment where nothing exists builds an array, as VRL's `.list[2] = 1` does.
    expect(setField(withList, ["fresh", 2], "x")).toBe(true);
    expect(withList.fresh).toEqual([null, null, "x"]);
  });

  it("never follows or pollutes a prototype", () => {
    const doc: Record<string, unknown> = {};
    expect(getField(doc, ["constructor"])).toBeUndefined();
    expect(getField(doc, ["toString"])).toBeUndefined();
    expect(hasField(doc, ["__proto__"])).toBe(false);
    setField(doc, ["__proto__", "polluted"], "yes");
    setField(doc, ["constructor", "prototype", "polluted"], "yes");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(
      JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'),
    );
  });

  const key = fc.oneof(
    fc.constantFrom("__proto__", "constructor", "prototype", "toString", "0", "-1", "a", "b"),
    fc.string({ maxLength: 4 }),
  );

  const objectPrototypeKeys = Object.getOwnPropertyNames(Object.prototype);
  const arrayPrototypeKeys = Object.getOwnPropertyNames(Array.prototype);

  it("property: after a successful set, get returns the value; prototypes stay clean", () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.array(key, { minLength: 1, maxLength: 5 }),
        fc.integer(),
        (start, path, value) => {
          const doc = (
            start !== null && typeof start === "object" && !Array.isArray(start) ? start : {}
          ) as Record<string, unknown>;
          const ok = setField(doc, path, value);
          if (ok) expect(getField(doc, path)).toBe(value);
          expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
          expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(objectPrototypeKeys);
          expect(Object.getOwnPropertyNames(Array.prototype)).toEqual(arrayPrototypeKeys);
        },
      ),
    );
  });

  it("property: a set that fails leaves the document unchanged; delete undoes a fresh set", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(key, { minLength: 1, maxLength: 4 }), (start, path) => {
        const doc = (
          start !== null && typeof start === "object" && !Array.isArray(start) ? start : {}
        ) as Record<string, unknown>;
        const before = JSON.stringify(doc);
        const existed = hasField(doc, path);
        const ok = setField(doc, path, "marker");
        if (!ok) expect(JSON.stringify(doc)).toBe(before);
        if (ok && !existed && path.length === 1) {
          deleteField(doc, path);
          expect(JSON.stringify(doc)).toBe(before);
        }
      }),
    );
  });
});

describe("sprintf", () => {
  const doc = {
    "@timestamp": "2024-11-25T00:00:00.123Z",
    kubernetes: { namespace_name: "insight-system", labels: { app: "gw" } },
    list: ["a", "b"],
    n: 3,
  };

  it("interpolates references, joins arrays, leaves missing references as written", () => {
    expect(sprintf("%{[kubernetes][namespace_name]}-%{n}")(doc)).toBe("insight-system-3");
    expect(sprintf("%{list}")(doc)).toBe("a,b");
    expect(sprintf("%{[kubernetes][labels]}")(doc)).toBe('{"app":"gw"}');
    expect(sprintf("x-%{missing}")(doc)).toBe("x-%{missing}");
    expect(sprintf("plain")(doc)).toBe("plain");
  });

  it("formats @timestamp with %{+pattern} in UTC", () => {
    expect(sprintf("logs-%{+yyyy.MM.dd}")(doc)).toBe("logs-2024.11.25");
    expect(sprintf("logs-%{+yyyy.MM.dd}")({ "@timestamp": 1732492800.5 })).toBe("logs-2024.11.25");
    expect(sprintf("logs-%{+yyyy.MM.dd}")({})).toBe("logs-%{+yyyy.MM.dd}");
  });
});

describe("tags", () => {
  it("adds each tag once, turning a string into an array, and removes tags", () => {
    const doc: Record<string, unknown> = { tags: "old" };
    addTag(doc, "_jsonparsefailure");
    addTag(doc, "_jsonparsefailure");
    expect(doc.tags).toEqual(["old", "_jsonparsefailure"]);
    removeTag(doc, "old");
    expect(doc.tags).toEqual(["_jsonparsefailure"]);
    const fresh: Record<string, unknown> = {};
    addTag(fresh, "t");
    expect(fresh.tags).toEqual(["t"]);
  });
});
