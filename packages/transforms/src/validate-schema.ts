// validateSchema: events whose document does not match a JSON Schema go to dead letters.
import { mapValues, reject, SluiceConfigError, type Stage, validateOptions } from "@sluice/core";
import { Ajv, type AnySchema } from "ajv";

type JsonObject = Record<string, unknown>;

/** The options of `validateSchema`. */
export interface ValidateSchemaOptions {
  /** A JSON Schema (draft-07, as ajv reads it). */
  schema: AnySchema;
  /** Report every violation rather than the first. Default false (faster). */
  allErrors?: boolean;
  /** The stage's name in metrics, logs and dead letters. Default `validateSchema`. */
  name?: string;
}

export const optionsSchema = {
  type: "object",
  properties: {
    schema: { type: ["object", "boolean"] },
    allErrors: { type: "boolean", default: false },
    name: { type: "string", minLength: 1, default: "validateSchema" },
  },
  required: ["schema"],
  additionalProperties: false,
} as const;

/**
 * The schema is compiled once, at construction: an invalid schema fails there naming `schema`. A
 * document that does not match fails with the validator's message (`/kubernetes/pod_name must be
 * string`), so its dead letter says what was wrong. Validation never changes the document.
 */
export function validateSchema<T extends JsonObject = JsonObject>(
  options: ValidateSchemaOptions,
): Stage<T, T> {
  const o = validateOptions<Required<ValidateSchemaOptions>>("validateSchema", optionsSchema, options);
  const ajv = new Ajv({ allErrors: o.allErrors, strict: false, coerceTypes: false, useDefaults: false });
  let check: ReturnType<Ajv["compile"]>;
  try {
    check = ajv.compile(o.schema);
  } catch (error) {
    throw new SluiceConfigError(
      "validateSchema",
      "schema",
      `is not a valid JSON Schema: ${(error as Error).message}`,
    );
  }
  return mapValues<T, T>(o.name, (doc) => {
    if (check(doc)) return doc;
    return reject("schema_validation_exception", ajv.errorsText(check.errors, { dataVar: "document" }));
  });
}
