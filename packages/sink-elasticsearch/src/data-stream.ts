// Data streams: the index template that makes a target a data stream, put at start when asked.
import type { Client } from "@elastic/elasticsearch";
import { describeError, ErrorCode, SluiceError } from "@sluice/core";
import type { IndexOption } from "./target.js";

/** The names an index option can write to, as index patterns (`%{…}` parts become `*`). */
export function indexPatterns(index: IndexOption): string[] {
  const names: string[] = [];
  if (typeof index === "string") names.push(index);
  else if (typeof index === "object") {
    names.push(...Object.values(index.topics));
    if (index.default) names.push(index.default);
  }
  return [...new Set(names.map((name) => name.replace(/%\{[^}]*\}/g, "*")))];
}

/**
 * Puts the index template `name` unless one by that name exists (a template someone wrote by hand is
 * never overwritten). The template matches `patterns`, declares a data stream, and takes `body`'s
 * settings and mappings.
 */
export async function ensureDataStreamTemplate(
  client: Client,
  name: string,
  patterns: string[],
  body: Record<string, unknown> = {},
): Promise<"created" | "exists"> {
  try {
    if (await client.indices.existsIndexTemplate({ name })) return "exists";
    if (patterns.length === 0)
      throw new Error(
        "the index is a function: give the template's index_patterns in dataStream.template.body",
      );
    await client.indices.putIndexTemplate({
      name,
      index_patterns: patterns,
      data_stream: {},
      priority: 200,
      ...body,
    } as Parameters<Client["indices"]["putIndexTemplate"]>[0]);
    return "created";
  } catch (error) {
    throw new SluiceError(
      ErrorCode.ES_UNREACHABLE,
      `elasticsearchSink: cannot put the data stream's index template ${name}: ${describeError(error)}`,
      { cause: error },
    );
  }
}
