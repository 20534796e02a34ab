// Checks a config against its JSON Schema once, at load, and names the first mistake at its line and option.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { OptionPath } from "../vector/document.js";
import type { ConfigDocument } from "./document.js";

// Compiled validators by schema object: a cache with no pipeline state.
const compiled = new WeakMap<object, ValidateFunction>();

/** The validator of `schema`, compiled once. */
function validatorOf(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    const ajv = new Ajv({
      allErrors: false,
      strict: true,
      // `if: { required: ["when"] }` names a property declared beside it, which strict mode cannot see.
      strictRequired: false,
      allowUnionTypes: true,
      verbose: true,
    });
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** Throws at the first option of `document` that `schema` refuses. */
export function validateConfig(document: ConfigDocument, schema: object): void {
  const validate = validatorOf(schema);
  // The validator never fills defaults, so the plan keeps the options as the user wrote them.
  if (validate(document.value)) return;
  const error = mostSpecific(validate.errors ?? []);
  if (error === undefined) throw document.refuse([], "is not a valid Sluice config");
  const { path, problem } = describe(error, document.value);
  throw document.refuse(path, problem);
}

/** The error to report: inside an `anyOf`, the alternative that got furthest into the value. */
function mostSpecific(errors: readonly ErrorObject[]): ErrorObject | undefined {
  const relevant = errors.filter((error) => error.keyword !== "if");
  const anyOf = relevant.find((error) => error.keyword === "anyOf");
  if (anyOf === undefined) return relevant[0];
  const inside = relevant.filter(
    (error) => error !== anyOf && error.schemaPath.startsWith(`${anyOf.schemaPath}/`),
  );
  const deepest = inside.reduce<ErrorObject | undefined>(
    (best, error) =>
      best === undefined || error.instancePath.length > best.instancePath.length ? error : best,
    undefined,
  );
  return deepest !== undefined && deepest.instancePath.length > anyOf.instancePath.length ? deepest : anyOf;
}

/** An ajv instance path as keys and indexes of `value`. */
function optionPath(instancePath: string, value: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  let current = value;
  for (const raw of instancePath.split("/").slice(1)) {
    const part = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    const key = Array.isArray(current) ? Number(part) : part;
    path.push(key);
    current =
      current === null || typeof current !== "object" ? undefined : (current as Record<string, unknown>)[key];
  }
  return path;
}

function describe(error: ErrorObject, value: unknown): { path: OptionPath; problem: string } {
  const path = optionPath(error.instancePath, value);
  const params = error.params as Record<string, unknown>;
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return { path: [...path, String(params.missingProperty)], problem: "is required" };
    case "additionalProperties": {
      const known = Object.keys((schema.properties as object | undefined) ?? {});
      const isStage = known.includes("when") && known.includes("stage");
      return {
        path: [...path, String(params.additionalProperty)],
        problem: isStage
          ? `is not a stage Sluice knows (known: ${known.filter((k) => k !== "then" && k !== "else").join(", ")})`
          : `is not a known option${known.length > 0 ? ` (known: ${known.join(", ")})` : ""}`,
      };
    }
    case "not":
    case "enum":
      if (error.propertyName !== undefined)
        return {
          path: [...path, error.propertyName],
          problem:
            error.keyword === "not"
              ? "goes with `when`: a when block has when, then and else"
              : "cannot be beside `when`: a when block has when, then and else",
        };
      if (error.keyword === "enum")
        return {
          path,
          problem: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
        };
      return { path, problem: error.message ?? "is invalid" };
    case "propertyNames":
    case "maxProperties":
      return {
        path,
        problem: "must have one key, a stage's name (or `when` with `then` and `else`)",
      };
    case "minProperties":
      return {
        path,
        problem: `must have at least ${String(params.limit)} entr${params.limit === 1 ? "y" : "ies"}`,
      };
    case "type":
      return { path, problem: `must be ${String(params.type).replace(",", " or ")}` };
    case "const":
      return { path, problem: `must be ${JSON.stringify(params.allowedValue)}` };
    case "anyOf":
      return { path, problem: `must be one of: ${alternatives(schema)}` };
    default:
      return { path, problem: error.message ?? "is invalid" };
  }
}

/** The forms an `anyOf` takes, briefly: `string`, `{ username, password }`, `"earliest"`. */
function alternatives(schema: Record<string, unknown>): string {
  const forms = (schema.anyOf as Record<string, unknown>[] | undefined) ?? [];
  return forms
    .map((form) => {
      if (Array.isArray(form.enum)) return form.enum.map((v) => JSON.stringify(v)).join(", ");
      if ("const" in form) return JSON.stringify(form.const);
      if (form.type === "object" && Array.isArray(form.required)) return `{ ${form.required.join(", ")} }`;
      if (form.type === "array") return "a list";
      return String(form.type ?? "a value");
    })
    .join("; ");
}
