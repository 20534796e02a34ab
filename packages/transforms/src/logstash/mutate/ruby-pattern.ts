// A gsub pattern compiled for the engine that runs it in time linear in the value.
import { RE2JS } from "re2js";
import { backtrackingWays } from "./backtracking.js";
import { groupCount, hasNamedGroups, RubyRegexError, rubyRegex, translateRuby } from "./ruby-regex.js";

/** A compiled Ruby pattern; `replace` takes a JavaScript replacement string (see rubyReplacement). */
export interface RubyPattern {
  readonly engine: "v8" | "re2";
  readonly groups: number;
  readonly named: boolean;
  replace(value: string, replacement: string): string;
}

// Above this many ways per position even a bounded pattern goes to RE2 (see backtrackingWays).
const MAX_WAYS = 256;

/**
 * Compiles a Ruby pattern so that no value can make it run for long. A pattern without quantifiers,
 * whose ways to match at one position are few, runs on V8 (its work is linear in the value, and V8 is
 * the faster engine). Any other runs on RE2 (re2js, linear time whatever the pattern and value), where
 * Ruby features only a backtracking engine has (backreferences in the pattern, lookahead, `\Z`) are
 * refused with the reason: on V8 such a pattern could hold the thread for minutes on one record.
 */
export function rubyPattern(source: string): RubyPattern {
  const v8 = rubyRegex(source);
  if (backtrackingWays(v8.source) <= MAX_WAYS) {
    const groups = groupCount(v8);
    const named = hasNamedGroups(v8);
    return { engine: "v8", groups, named, replace: (value, replacement) => value.replace(v8, replacement) };
  }
  let re2: RE2JS;
  try {
    const { source: translated, ignoreCase } = translateRuby(source, "re2");
    const flags = RE2JS.MULTILINE | RE2JS.LOOKBEHINDS | (ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
    re2 = RE2JS.compile(translated, flags);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new RubyRegexError(
      `repeats, so it must run on the linear-time engine (RE2), which cannot run it: ${why} (a backtracking engine could hold the thread for minutes on one record)`,
    );
  }
  const groups = re2.groupCount();
  const named = Object.keys(re2.namedGroups()).length > 0;
  return {
    engine: "re2",
    groups,
    named,
    replace: (value, replacement) => re2.matcher(value).replaceAll(replacement),
  };
}
