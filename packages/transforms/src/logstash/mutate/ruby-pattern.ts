// A gsub pattern compiled for the engine that runs it in time linear in the value.
import { RE2JS } from "re2js";
import { backtrackingWays } from "./backtracking.js";
import {
  groupCount,
  groupNames,
  RubyRegexError,
  rubyRegex,
  START_GUARD,
  translateRuby,
} from "./ruby-regex.js";

/** A compiled Ruby pattern; `replace` takes a JavaScript replacement string (see rubyReplacement). */
export interface RubyPattern {
  readonly engine: "v8" | "re2";
  readonly groups: number;
  readonly names: readonly string[];
  replace(value: string, replacement: string): string;
  /** True when the pattern matches somewhere in `value`. */
  test(value: string): boolean;
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
  // The start guard adds no way to match that the pattern's own do not have.
  const own = v8.source.startsWith(START_GUARD) ? v8.source.slice(START_GUARD.length) : v8.source;
  if (backtrackingWays(own) <= MAX_WAYS) {
    const groups = groupCount(v8);
    const names = groupNames(v8);
    return {
      engine: "v8",
      groups,
      names,
      replace: (value, replacement) => value.replace(v8, replacement),
      test: (value) => {
        v8.lastIndex = 0;
        return v8.test(value);
      },
    };
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
  const names = Object.keys(re2.namedGroups());
  return {
    engine: "re2",
    groups,
    names,
    replace: (value, replacement) => re2.matcher(value).replaceAll(replacement),
    test: (value) => re2.matcher(value).find(),
  };
}
