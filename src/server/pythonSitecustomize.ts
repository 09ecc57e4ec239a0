// What every sitecustomize.py of ours needs (the instruction count's, which switches the cyclic
// collector off, and the query count's, which wraps the DB-API drivers): it is put first on the
// counted server's PYTHONPATH, so it hides the sitecustomize Python would otherwise have run
// (Debian ships one), and must run that one itself.
import path from 'node:path';

/** Python source defining _run_the_hidden_sitecustomize(); a file that embeds it calls it last. */
export const RUN_THE_HIDDEN_SITECUSTOMIZE = `def _run_the_hidden_sitecustomize():
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
`;

/** PYTHONPATH with the directory holding our sitecustomize.py first, then what the server had. */
export function pythonPathWithStartup(startupDir: string, pythonPath: string | undefined): string {
  return pythonPath ? `${startupDir}${path.delimiter}${pythonPath}` : startupDir;
}
