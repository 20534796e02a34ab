// Logstash's sprintf from core, with `%{+PATTERN}` dates formatted by the Joda formatter transforms owns.
import { sprintf as coreSprintf, type DateFormatter } from "@sluice/core";
import { formatJoda } from "../time/joda.js";

export { type DateFormatter, hasReferences } from "@sluice/core";

/** Compiles a Logstash sprintf template; dates format as Joda patterns in UTC unless `formatDate` says otherwise. */
export function sprintf(
  template: string,
  formatDate: DateFormatter = formatJoda,
): (doc: Record<string, unknown>) => string {
  return coreSprintf(template, formatDate);
}
