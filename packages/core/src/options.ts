// Option validation: each component declares a JSON Schema, checked once at construction with ajv.
import { Ajv, type ErrorObject, type JSONSchemaType, type ValidateFunction } from "ajv";
import { SluiceConfigError } from "./errors.js";

// Ajv instances per process are only caches of compiled schemas; they hold no pipeline state.
const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: true, allowUnionTypes: true });
// Run only when an option is unknown, to name every unknown one with the options known beside it.
const ajvAll = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
const compiled = new WeakMap<object, ValidateFunction>();
const compiledAll = new WeakMap<object, ValidateFunction>();

/** A JSON Schema for `validateOptions`: an ajv `JSONSchemaType` of the options, or any schema object. */
export type OptionsSchema<T> = JSONSchemaType<T> | Record<string, unknown>;

/**
 * Validates `options` against `schema` and returns them with schema defaults filled in. A wrong option
 * throws a SluiceConfigError naming the component, the option's path and what was expected.
 */
export function validateOptions<T>(component: string, schema: OptionsSchema<T>, options: unknown): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  // Defaults are written into the copy: the caller's objects, nested ones included, stay as they were.
  const copy = options === undefined ? {} : plainCopy(options);
  if (!validate(copy)) {
    const first = validate.errors?.[0];
    if (first?.keyword === "additionalProperties") throw unknownOptions(component, schema, options, first);
    throw toConfigError(component, first);
  }
  return copy as T;
}

/** A copy of plain objects and arrays at any depth; anything else (functions, Buffers, ...) is shared. */
function plainCopy(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object" || depth > 64) return value;
  if (Array.isArray(value)) return value.map((item) => plainCopy(item, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = plainCopy(item, depth + 1);
  return out;
}

/** One error naming every unknown option, each with the known option its name is closest to. */
function unknownOptions(
  component: string,
  schema: object,
  options: unknown,
  first: ErrorObject,
): SluiceConfigError {
  let validate = compiledAll.get(schema);
  if (!validate) {
    validate = ajvAll.compile(schema);
    compiledAll.set(schema, validate);
  }
  validate(plainCopy(options));
  // The first error's path comes first; the validator that sees them all says which options are known.
  const keyPath = (error: ErrorObject) =>
    join(pathOf(error), String((error.params as Record<string, unknown>).additionalProperty));
  const found = new Map<string, readonly string[]>([[keyPath(first), []]]);
  for (const error of validate.errors ?? []) {
    if (error.keyword !== "additionalProperties") continue;
    // Inside anyOf/oneOf a key unknown to one alternative may be known to another: only the first counts.
    const path = keyPath(error);
    if (/\/(anyOf|oneOf)\//.test(error.schemaPath) && path !== keyPath(first)) continue;
    const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    if ((found.get(path)?.length ?? 0) === 0) found.set(path, known);
  }
  const hint = (path: string) => {
    const dot = path.lastIndexOf(".");
    const suggestion = closest(path.slice(dot + 1), found.get(path) ?? []);
    return suggestion ? ` (did you mean \`${join(path.slice(0, Math.max(dot, 0)), suggestion)}\`?)` : "";
  };
  const [head, ...rest] = [...found.keys()];
  const others = rest.map((path) => `\`${path}\`${hint(path)}`);
  const tail = others.length === 0 ? "" : `; nor ${others.length === 1 ? "is" : "are"} ${others.join(", ")}`;
  return new SluiceConfigError(component, head!, `is not a known option${hint(head!)}${tail}`, {
    options: [head!, ...rest],
  });
}

function pathOf(error: ErrorObject): string {
  return error.instancePath.replace(/^\//, "").replaceAll("/", ".");
}

/** The known name nearest `key` (case aside, a transposition counting one edit), if near enough. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  return rows[a.length]![b.length]!;
}

function toConfigError(component: string, error: ErrorObject | undefined): SluiceConfigError {
  if (!error) return new SluiceConfigError(component, "(root)", "is invalid");
  const base = error.instancePath.replace(/^\//, "").replaceAll("/", ".");
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return new SluiceConfigError(component, join(base, String(params.missingProperty)), "is required");
    case "additionalProperties":
      return new SluiceConfigError(
        component,
        join(base, String(params.additionalProperty)),
        "is not a known option (check its spelling)",
      );
    case "type":
      return new SluiceConfigError(component, base || "(root)", `must be ${String(params.type)}`);
    case "enum":
      return new SluiceConfigError(
        component,
        base || "(root)",
        `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
      );
    default:
      return new SluiceConfigError(component, base || "(root)", error.message ?? "is invalid");
  }
}

function join(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}
