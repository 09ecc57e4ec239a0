// Pure: the line where a Python function is defined, from its source and its qualname (the perf
// map gives the qualname and the file, not the line). Follows the nesting of `class`/`def` by
// indentation, so `BookListView.get_queryset` finds the method of that class and not another
// `get_queryset` in the same file; `f.<locals>.g` is g defined inside f; a lambda or a
// comprehension (`<lambda>`, `<genexpr>`) links to the function that holds it.

const DEFINITION = /^(\s*)(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)/;

const indentOf = (line: string) => line.length - line.trimStart().length;

/** 1-based line of the definition, or undefined when the source has none that matches. */
export function definitionLine(source: string, qualname: string): number | undefined {
  const wanted = qualname.split('.').filter((p) => p !== '<locals>');
  while (wanted.length && /^<.*>$/.test(wanted.at(-1)!)) wanted.pop();
  if (!wanted.length) return qualname === '<module>' ? 1 : undefined;
  const target = wanted.join('.');
  const stack: Array<{ indent: number; name: string }> = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const indent = indentOf(line);
    // A line at or left of a definition's indentation is outside its body.
    while (stack.length && indent <= stack.at(-1)!.indent) stack.pop();
    const m = DEFINITION.exec(line);
    if (!m) continue;
    stack.push({ indent, name: m[2]! });
    if (stack.map((s) => s.name).join('.') === target) return i + 1;
  }
  return undefined;
}
