// Reading one component's options: each known option checked for its type, every unknown one refused where it is written.
import type { OptionPath, VectorDocument } from "./document.js";
import { pathText } from "./document.js";
import { VectorConfigError } from "./errors.js";

/** A component's options, read with positions for the refusals. */
export class ComponentOptions {
  /** The component's options as written. */
  readonly value: Record<string, unknown>;
  constructor(
    readonly document: VectorDocument,
    /** The component's path, e.g. `["sinks", "es"]`. */
    readonly path: OptionPath,
    /** How messages name the component, e.g. `sink "es" (elasticsearch)`. */
    readonly label: string,
  ) {
    const value = lookup(document.value, path);
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw this.refuse([], "must be a table of options");
    this.value = value as Record<string, unknown>;
  }

  /** A refusal naming the component and the option at `sub`, at its position. */
  refuse(sub: OptionPath, problem: string): VectorConfigError {
    const path = [...this.path, ...sub];
    const option = sub.length === 0 ? "" : ` option \`${pathText(sub)}\``;
    return new VectorConfigError(this.document.where(path), `${this.label}${option} ${problem}`, {
      option: pathText(path),
    });
  }

  /** Refuses every option at `sub` not in `known`. */
  only(sub: OptionPath, known: readonly string[], why = "is not supported by Sluice"): void {
    const table = this.get(sub);
    if (table === undefined) return;
    if (table === null || typeof table !== "object" || Array.isArray(table))
      throw this.refuse(sub, "must be a table");
    for (const key of Object.keys(table)) if (!known.includes(key)) throw this.refuse([...sub, key], why);
  }

  /** The value at `sub`, undefined when absent. */
  get(sub: OptionPath): unknown {
    return lookup(this.value, sub);
  }

  /** A string option. */
  string(sub: OptionPath): string | undefined {
    const value = this.get(sub);
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw this.refuse(sub, "must be a string");
    return value;
  }

  /** A boolean option. */
  boolean(sub: OptionPath): boolean | undefined {
    const value = this.get(sub);
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") throw this.refuse(sub, "must be true or false");
    return value;
  }

  /** A list of strings (a single string is refused, as Vector does). */
  strings(sub: OptionPath): string[] | undefined {
    const value = this.get(sub);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string"))
      throw this.refuse(sub, "must be a list of strings");
    return value as string[];
  }

  /** One of `choices`. */
  choice<T extends string>(sub: OptionPath, choices: readonly T[]): T | undefined {
    const value = this.string(sub);
    if (value === undefined) return undefined;
    if (!(choices as readonly string[]).includes(value))
      throw this.refuse(sub, `is "${value}"; Sluice supports ${choices.map((c) => `"${c}"`).join(", ")}`);
    return value as T;
  }
}

function lookup(root: unknown, path: OptionPath): unknown {
  let node = root;
  for (const part of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}
