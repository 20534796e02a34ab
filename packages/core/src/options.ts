// Option validation: each component declares a JSON Schema, checked once at construction with ajv.
import { Ajv, type ErrorObject, type JSONSchemaType, type ValidateFunction } from "ajv";
import { SluiceConfigError } from "./errors.js";

// One Ajv instance per process is only a cache of compiled schemas; it holds no pipeline state.
const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: true, allowUnionTypes: true });
const compiled = new WeakMap<object, ValidateFunction>();

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
  const copy = options === undefined ? {} : shallowCopy(options);
  if (!validate(copy)) {
    const first = validate.errors?.[0];
    throw toConfigError(component, first);
  }
  return copy as T;
}

function shallowCopy(value: unknown): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return { ...value };
  return value;
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
