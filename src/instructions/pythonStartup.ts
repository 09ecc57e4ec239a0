// The counted server starts with Python's cyclic garbage collector off. A collection runs after a
// number of allocations, not per request, so it lands in some counting windows and not in others:
// on the Flask example's /db windows of 20 requests spread by 12% with it on (docs/instructions.md).
// Off, no window holds a collection, as in timeit. Reference counting still frees what it frees,
// and the wall-clock trials keep the collector on.
import { RUN_THE_HIDDEN_SITECUSTOMIZE } from '../server/pythonSitecustomize.js';

/** Written as sitecustomize.py into a directory put first on PYTHONPATH of the counted server only. */
export const NO_CYCLIC_GC_SITECUSTOMIZE = `# Written by wsgi-perf-gate for counting instructions under Callgrind (see pythonStartup.ts).
import gc

gc.disable()


${RUN_THE_HIDDEN_SITECUSTOMIZE}


_run_the_hidden_sitecustomize()
`;
