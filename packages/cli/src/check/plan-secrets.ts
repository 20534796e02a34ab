// Every credential a plan holds, gathered so nothing `sluice check` prints can carry one.
import { isSecretKey, Secrets, urlPassword } from "@sluice/core";
import type { Plan } from "../plan.js";

/** A scrubber of every credential in the plan: values under secret keys, URL passwords, basic-auth headers. */
export function planSecrets(plan: Plan): Secrets {
  const found: string[] = [];
  const walk = (value: unknown, key?: string, parent?: string): void => {
    if (typeof value === "string") {
      if (key !== undefined && isSecretKey(key, parent)) found.push(value);
      const password = urlPassword(value);
      if (password !== undefined) found.push(password);
      return;
    }
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, key, parent);
      return;
    }
    const record = value as Record<string, unknown>;
    // A basic-auth header carries the password base64-encoded with the user name.
    if (typeof record.username === "string" && typeof record.password === "string")
      found.push(Buffer.from(`${record.username}:${record.password}`).toString("base64"));
    for (const [name, item] of Object.entries(record)) walk(item, name, key);
  };
  for (const pipeline of plan.pipelines) {
    walk(pipeline.source);
    for (const target of pipeline.targets) walk(target.sink);
  }
  walk(plan.deadLetters?.sink);
  return new Secrets(found);
}
