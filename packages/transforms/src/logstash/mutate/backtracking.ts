// How much a backtracking engine can try at one position of the text, read from a JavaScript regex source.

/**
 * The number of distinct ways a pattern can be walked at one starting position: alternatives add,
 * sequences multiply, `X?` adds one way to X's and `X{n,m}` takes X's ways to each count from n to m;
 * `*`, `+` and `{n,}` make it unbounded (Infinity). Each way then has a length bounded by the pattern,
 * so V8's steps per position are bounded by the pattern too: its time is linear in the text. `source` is a valid
 * `u`-mode source, as rubyRegex produces it (literal braces escaped).
 */
export function backtrackingWays(source: string): number {
  // One frame per open group: the ways of the branches already closed, of the current branch, and of
  // its last atom (which a quantifier multiplies).
  const stack: Frame[] = [{ closed: 0, branch: 1, last: 1 }];
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    const top = stack[stack.length - 1]!;
    if (c === "*" || c === "+") return Number.POSITIVE_INFINITY;
    if (c === "?" || c === "{") {
      const bounds = c === "?" ? [0, 1] : counted(source, i);
      if (bounds === undefined) return Number.POSITIVE_INFINITY;
      if (c === "{") i = source.indexOf("}", i);
      if (source[i + 1] === "?") i++; // lazy: the same ways, tried in another order
      let repeated = 0;
      for (let k = bounds[0]!; k <= bounds[1]!; k++) {
        repeated += top.last ** k;
        if (repeated > TOO_MANY) return Number.POSITIVE_INFINITY;
      }
      top.branch = (top.branch / top.last) * repeated;
      top.last = repeated;
      continue;
    }
    if (c === "\\") {
      // \p{…}, \P{…}, \u{…} and \k<…> are one atom each.
      const next = source[i + 1];
      if ((next === "p" || next === "P" || next === "u") && source[i + 2] === "{")
        i = source.indexOf("}", i + 2);
      else if (next === "k" && source[i + 2] === "<") i = source.indexOf(">", i + 2);
      else i++;
    } else if (c === "[") {
      i = classEnd(source, i);
    } else if (c === "(") {
      stack.push({ closed: 0, branch: 1, last: 1 });
      i = groupBodyStart(source, i) - 1;
      continue;
    } else if (c === "|") {
      top.closed += top.branch;
      top.branch = 1;
      top.last = 1;
      continue;
    } else if (c === ")") {
      stack.pop();
      const parent = stack[stack.length - 1]!;
      parent.last = top.closed + top.branch;
      parent.branch *= parent.last;
      continue;
    }
    top.last = 1;
  }
  const top = stack[0]!;
  return top.closed + top.branch;
}

// Past this the exact count does not matter: the caller's threshold is far lower.
const TOO_MANY = 1e6;

interface Frame {
  closed: number;
  branch: number;
  last: number;
}

// `{n}` or `{n,m}` at `open` as [n, m]; undefined for `{n,}`, which has no upper bound.
function counted(source: string, open: number): [number, number] | undefined {
  const match = /^\{(\d+)(?:(,)(\d*))?\}/.exec(source.slice(open, source.indexOf("}", open) + 1));
  if (!match) return undefined;
  const low = Number(match[1]);
  if (match[2] === undefined) return [low, low];
  return match[3] ? [low, Number(match[3])] : undefined;
}

// The index of the `]` closing the class opened at `start` (a `u`-mode class escapes any `]` inside).
function classEnd(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === "\\") i++;
    else if (source[i] === "]") return i;
  }
  return source.length;
}

// Past a group's opening: `(`, `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!` or `(?<name>`.
function groupBodyStart(source: string, open: number): number {
  if (source[open + 1] !== "?") return open + 1;
  const kind = source[open + 2];
  if (kind === "<" && source[open + 3] !== "=" && source[open + 3] !== "!")
    return source.indexOf(">", open + 3) + 1;
  return open + (kind === "<" ? 4 : 3);
}
