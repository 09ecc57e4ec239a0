// The `app` of a preset, in the forms Python teams write (the forms gunicorn accepts):
//   pkg.module:app           a module attribute
//   pkg:create_app()         an application factory, called without arguments
//   pkg:create_app("test")   a factory called with (literal) arguments
//   pkg.wsgi                 a module; its `application` attribute (Django's wsgi.py shape)
// Pure: parsed once at config time, translated per server in presets.ts.

export interface AppSpec {
  /** Dotted module path, e.g. `myproject.wsgi`. */
  module: string;
  /** Dotted attribute path inside the module; `application` when the spec names only a module. */
  callable: string;
  /** The factory call's argument text without the parentheses (`''` for `create_app()`); undefined when not a factory. */
  args?: string;
}

export const APP_SPEC_FORMS = 'module:callable (e.g. myproject.wsgi:application), a factory module:create_app() or module:create_app("arg"), or a module (its `application`)';

const DOTTED = String.raw`[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*`;
// Factory arguments stay on one line and keep their quotes paired: they end up inside Python source.
const ARGS = String.raw`(?:[^'"\n\r;]|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')*`;
/** The accepted forms as one pattern (the config file's JSON Schema uses it too). */
export const APP_SPEC_PATTERN = new RegExp(String.raw`^(${DOTTED})(?::(${DOTTED})(?:\((${ARGS})\))?)?$`);

/** Undefined when the text is none of the accepted forms. */
export function parseAppSpec(text: string): AppSpec | undefined {
  const m = APP_SPEC_PATTERN.exec(text.trim());
  if (!m) return undefined;
  const [, module, callable, args] = m;
  return { module: module!, callable: callable ?? 'application', args };
}

/** `module:callable` without a call: what servers that only import an attribute take. */
export function attributeSpec(spec: AppSpec): string {
  return `${spec.module}:${spec.callable}`;
}

/** The spec as gunicorn (and the user) writes it, with the factory call when there is one. */
export function formatAppSpec(spec: AppSpec): string {
  return spec.args === undefined ? attributeSpec(spec) : `${attributeSpec(spec)}(${spec.args})`;
}

/**
 * Python source that binds `application` to the WSGI app (importing the module, calling the
 * factory): uWSGI's --eval and the waitress/wsgiref launchers run it, so no shim file is written.
 */
export function pythonLoader(spec: AppSpec): string {
  const value = `_m.${spec.callable}${spec.args === undefined ? '' : `(${spec.args})`}`;
  return `import importlib; _m = importlib.import_module(${JSON.stringify(spec.module)}); application = ${value}`;
}
