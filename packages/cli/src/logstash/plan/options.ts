// A plugin's options read as Logstash's validators read them, refusing at the option's position what Sluice cannot run.
import type { LsAttribute, LsPlugin, LsValue, Position } from "../ast.js";
import { LogstashConfigError } from "../errors.js";
import { pluginOptions } from "../plugin-options.js";

/** Options every plugin of a kind accepts and Sluice ignores: they name or meter the plugin only. */
const IGNORED = new Set(["id", "enable_metric"]);

/** A plugin's options, read one by one; `finish()` refuses whatever was not read. */
export class PluginOptions {
  readonly plugin: LsPlugin;
  private readonly options: ReadonlyMap<string, LsAttribute>;
  private readonly read = new Set<string>();

  constructor(plugin: LsPlugin) {
    this.plugin = plugin;
    this.options = pluginOptions(plugin);
  }

  /** The plugin's `id`, which names its stage or target. */
  id(): string | undefined {
    return this.string("id");
  }

  /** Whether the option was written. */
  has(name: string): boolean {
    return this.options.has(name);
  }

  /** Where the option was written, or the plugin when it was not. */
  position(name?: string): Position {
    return (name === undefined ? undefined : this.options.get(name)?.position) ?? this.plugin.position;
  }

  /** The option's value as written, marked as read. */
  value(name: string): LsValue | undefined {
    this.read.add(name);
    return this.options.get(name)?.value;
  }

  /** An error at the option, naming the plugin and the option. */
  refuse(name: string | undefined, problem: string): LogstashConfigError {
    const what = name === undefined ? this.plugin.name : `${this.plugin.name} option \`${name}\``;
    return new LogstashConfigError(this.position(name), `${what}: ${problem}`);
  }

  /** Logstash's `:string`: a scalar, or an array of one. */
  string(name: string): string | undefined {
    const value = scalar(this.value(name));
    if (value === undefined) return undefined;
    if (Array.isArray(value)) throw this.refuse(name, "expected a string, got an array");
    return String(value);
  }

  /** Logstash's `:boolean`: `true` or `false`, quoted or not. */
  boolean(name: string): boolean | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (value === "true") return true;
    if (value === "false") return false;
    throw this.refuse(name, `expected true or false, got "${value}"`);
  }

  /** Logstash's `:number`. */
  number(name: string): number | undefined {
    const value = scalar(this.value(name));
    if (value === undefined) return undefined;
    const number = typeof value === "number" ? value : Number(value);
    if (Array.isArray(value) || value === "" || !Number.isFinite(number))
      throw this.refuse(name, `expected a number, got ${JSON.stringify(value)}`);
    return number;
  }

  /** Logstash's `:array` (a scalar is an array of one) of strings. */
  strings(name: string): string[] | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    const items = value.kind === "array" ? value.items : [value];
    return items.map((item) => {
      if (item.kind === "string" || item.kind === "bareword" || item.kind === "number")
        return String(item.value);
      throw this.refuse(name, `expected strings, got a ${item.kind}`);
    });
  }

  /** Logstash's `:hash`, as ordered [key, value] pairs whose values are strings or arrays of strings. */
  hash(name: string): Array<[string, string | string[]]> | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (value.kind !== "hash")
      throw this.refuse(name, `expected a hash { "key" => "value" }, got a ${value.kind}`);
    return value.entries.map((entry) => {
      const v = entry.value;
      if (v.kind === "array") {
        return [
          String(entry.key.value),
          v.items.map((item) => {
            if (item.kind === "hash" || item.kind === "array" || item.kind === "plugin")
              throw this.refuse(
                name,
                `expected strings in \`${String(entry.key.value)}\`, got a ${item.kind}`,
              );
            return String(item.value);
          }),
        ];
      }
      if (v.kind === "hash" || v.kind === "plugin")
        throw this.refuse(name, `expected a string for \`${String(entry.key.value)}\`, got a ${v.kind}`);
      return [String(entry.key.value), String(v.value)];
    });
  }

  /** One of `allowed`, as Logstash's list validators check. */
  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value))
      throw this.refuse(name, `"${value}" is not one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
    return value as T;
  }

  /** Refuses the first option not read: Sluice does not run it (or Logstash does not know it). */
  finish(): void {
    for (const [name, attribute] of this.options) {
      if (this.read.has(name) || IGNORED.has(name)) continue;
      throw new LogstashConfigError(
        attribute.position,
        `${this.plugin.name} option \`${name}\`: Sluice does not run this option; remove it or run this pipeline on Logstash`,
      );
    }
  }
}

/** A value as Logstash's scalar validators take it: an array of one is its item. */
function scalar(value: LsValue | undefined): string | number | LsValue[] | undefined {
  if (value === undefined) return undefined;
  if (value.kind === "array") {
    if (value.items.length === 1) return scalar(value.items[0]);
    return [...value.items];
  }
  if (value.kind === "string" || value.kind === "bareword" || value.kind === "number") return value.value;
  return [value];
}
