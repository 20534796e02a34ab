// Data streams: the index template that makes a target a data stream, put at start when asked.
import { type Client, errors } from "@elastic/elasticsearch";
import { describeError, ErrorCode, SluiceError } from "@sluice/core";
import { elasticsearchReason } from "./error-answer.js";
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
 * settings and mappings. A template Elasticsearch refuses fails with SLUICE_ERR_ES_TEMPLATE and its reason.
 */
export async function ensureDataStreamTemplate(
  client: Client,
  name: string,
  patterns: string[],
  body: Record<string, unknown> = {},
): Promise<"created" | "exists"> {
  try {
    if (await client.indices.existsIndexTemplate({ name })) return "exists";
    await client.indices.putIndexTemplate({
      name,
      index_patterns: patterns,
      data_stream: {},
      priority: 200,
      ...body,
    } as Parameters<Client["indices"]["putIndexTemplate"]>[0]);
    return "created";
  } catch (error) {
    if (error instanceof errors.ResponseError)
      throw new SluiceError(
        ErrorCode.ES_TEMPLATE,
        `elasticsearchSink: Elasticsearch refused the data stream's index template ${name} (HTTP ${error.statusCode}): ${elasticsearchReason(error)}`,
        { cause: error },
      );
    throw new SluiceError(
      ErrorCode.ES_UNREACHABLE,
      `elasticsearchSink: cannot put the data stream's index template ${name}: ${describeError(error)}`,
      { cause: error },
    );
  }
}
