// The counted server starts with Python's cyclic garbage collector off. A collection runs after a
// number of allocations, not per request, so it lands in some counting windows and not in others:
// on the Flask example's /db windows of 20 requests spread by 12% with it on (docs/instructions.md).
// Off, no window holds a collection, as in timeit. Reference counting still frees what it frees,
// and the wall-clock trials keep the collector on.
import path from 'node:path';

/** Written as sitecustomize.py into a directory put first on PYTHONPATH of the counted server only. */
export const NO_CYCLIC_GC_SITECUSTOMIZE = `# Written by wsgi-perf-gate for counting instructions under Callgrind (see pythonStartup.ts).
import gc

gc.disable()


def _run_the_hidden_sitecustomize():
    # This file hides any other sitecustomize (Debian ships one): run it as Python would have.
    import importlib.machinery
    import importlib.util
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.loader is not None:
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


_run_the_hidden_sitecustomize()
`;

/** PYTHONPATH with the startup directory first, then what the server had. */
export function pythonPathWithStartup(startupDir: string, pythonPath: string | undefined): string {
  return pythonPath ? `${startupDir}${path.delimiter}${pythonPath}` : startupDir;
}
