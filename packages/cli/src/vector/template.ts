// Vector's template syntax (`{{ field.path }}`, strftime `%Y`) as the sink's Logstash-style sprintf.

import type { OptionPath } from "./document.js";
import type { ComponentOptions } from "./options.js";

// Joda equivalents of the strftime items a daily or hourly index name uses.
const STRFTIME: Record<string, string> = { Y: "yyyy", m: "MM", d: "dd", H: "HH", y: "yy", j: "DDD" };

/** True when `text` holds a field reference or a strftime item. */
export function isTemplate(text: string): boolean {
  return /\{\{|%/.test(text);
}

/**
 * The sink's form of a Vector template: `{{ a.b }}` → `%{[a][b]}`, `%Y-%m-%d` → `%{+yyyy}-%{+MM}-%{+dd}`.
 * Refuses what has no equivalent, at the option.
 */
export function toSprintf(text: string, options: ComponentOptions, sub: OptionPath): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "{" && text[i + 1] === "{") {
      const end = text.indexOf("}}", i + 2);
      if (end === -1) throw options.refuse(sub, `has an unclosed "{{" in "${text}"`);
      const path = text
        .slice(i + 2, end)
        .trim()
        .replace(/^\./, "");
      if (!/^[A-Za-z0-9_@-]+(\.[A-Za-z0-9_@-]+)*$/.test(path))
        throw options.refuse(
          sub,
          `has "{{ ${path} }}": Sluice reads field paths (a.b.c) in templates, nothing else`,
        );
      out += `%{${path
        .split(".")
        .map((part) => `[${part}]`)
        .join("")}}`;
      i = end + 1;
    } else if (c === "%") {
      const item = text[i + 1] ?? "";
      if (item === "%") out += "%";
      else if (STRFTIME[item] !== undefined) out += `%{+${STRFTIME[item]}}`;
      else throw options.refuse(sub, `has the strftime item "%${item}", which Sluice does not support`);
      i++;
    } else out += c;
  }
  return out;
}
