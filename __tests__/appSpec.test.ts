// App specs: every form gunicorn accepts is parsed, refused forms are named, and each preset
// gets a command its server accepts (uWSGI --eval for factories, waitress --call, a launcher
// for factories with arguments), with the virtualenv's own server when `python` is in one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAppSpec, pythonLoader } from '../src/server/appSpec.js';
import { PRESETS, presetCommand, presetWarning } from '../src/server/presets.js';
import { readConfig } from '../src/config/config.js';
import { ConfigError } from '../src/errors.js';

describe('parseAppSpec', () => {
  it('reads the four forms', () => {
    assert.deepEqual(parseAppSpec('app:app'), { module: 'app', callable: 'app', args: undefined });
    assert.deepEqual(parseAppSpec('shop.api.main:wsgi_app'), { module: 'shop.api.main', callable: 'wsgi_app', args: undefined });
    assert.deepEqual(parseAppSpec('myproject.wsgi'), { module: 'myproject.wsgi', callable: 'application', args: undefined });
    assert.deepEqual(parseAppSpec('flaskr:create_app()'), { module: 'flaskr', callable: 'create_app', args: '' });
    assert.deepEqual(parseAppSpec('flaskr:create_app("testing", debug=False)'), { module: 'flaskr', callable: 'create_app', args: '"testing", debug=False' });
  });

  it('refuses what no server would import', () => {
    for (const bad of ['', 'app; rm -rf /', 'app:', ':app', '1app:app', 'app:app()x', 'app:create_app("x)', 'app:f(1);import os', 'app app', 'app:f(\n)']) {
      assert.equal(parseAppSpec(bad), undefined, JSON.stringify(bad));
    }
  });

  it('the Python loader imports the module and calls the factory', () => {
    assert.equal(pythonLoader(parseAppSpec('pkg.web:create_app(1)')!), 'import importlib; _m = importlib.import_module("pkg.web"); application = _m.create_app(1)');
    assert.equal(pythonLoader(parseAppSpec('pkg.wsgi')!), 'import importlib; _m = importlib.import_module("pkg.wsgi"); application = _m.application');
  });
});

describe('presets translate every form', () => {
  const cmd = (server: (typeof PRESETS)[number], app: string, extra: Partial<Parameters<typeof presetCommand>[0]> = {}) =>
    presetCommand({ server, app, workers: 2, python: '/usr/bin/python3', cores: 2, ...extra });

  it('gunicorn takes the spec as written', () => {
    assert.match(cmd('gunicorn', 'flaskr:create_app("t")').command, /-m gunicorn 'flaskr:create_app\("t"\)' --bind/);
    assert.match(cmd('gunicorn-gevent', 'myproject.wsgi').command, /-m gunicorn myproject\.wsgi:application --bind/);
  });

  it('uWSGI imports attributes with --module and calls factories through --eval', () => {
    assert.match(cmd('uwsgi', 'app:app').command, /^uwsgi --plugin python3,http .* --module app:app /);
    assert.match(cmd('uwsgi-http', 'flaskr:create_app()').command, /--eval 'import importlib; _m = importlib\.import_module\("flaskr"\); application = _m\.create_app\(\)' /);
  });

  it('uwsgi boots the HTTP router with keep-alive; the raw sockets are named presets, the kept-alive one warned about', () => {
    assert.match(cmd('uwsgi', 'app:app').command, / --http 127\.0\.0\.1:\$PORT --http-keepalive /);
    assert.match(cmd('uwsgi-http', 'app:app').command, /^uwsgi --plugin python3 --http-socket 127\.0\.0\.1:\$PORT /);
    assert.match(cmd('uwsgi-http11-socket', 'app:app').command, /^uwsgi --plugin python3 --http11-socket 127\.0\.0\.1:\$PORT /);
    assert.equal(presetWarning('uwsgi'), undefined);
    assert.equal(presetWarning('uwsgi-http'), undefined);
    assert.match(presetWarning('uwsgi-http11-socket')!, /raw --http11-socket.*the other connections wait/);
  });

  it('waitress uses --call for factories without arguments and waitress.serve otherwise', () => {
    assert.match(cmd('waitress', 'myproject.wsgi').command, /-m waitress --listen=127\.0\.0\.1:\$PORT --threads=2 myproject\.wsgi:application$/);
    assert.match(cmd('waitress', 'flaskr:create_app()').command, / --call flaskr:create_app$/);
    const withArgs = cmd('waitress', 'flaskr:create_app({"TESTING": True})').command;
    assert.match(withArgs, /^\/usr\/bin\/python3 -c '.*application = _m\.create_app\(\{"TESTING": True\}\); from waitress import serve; serve\(application/);
  });

  it('uWSGI runs the virtualenv of `python`: its own uwsgi, else --virtualenv, else the PATH one', () => {
    const files = new Set(['/repo/.venv/bin/uwsgi', '/repo/.venv/pyvenv.cfg', '/repo/env2/pyvenv.cfg', '/usr/bin/uwsgi']);
    const exists = (f: string) => files.has(f);
    const own = cmd('uwsgi', 'app:app', { python: '.venv/bin/python', workingDirectory: '/repo', exists });
    assert.match(own.command, /^\.venv\/bin\/uwsgi --http 127/, "pip's monolithic uwsgi has the router built in");
    assert.match(own.note, /the virtualenv's own \.venv\/bin\/uwsgi/);
    const home = cmd('uwsgi', 'app:app', { python: 'env2/bin/python', workingDirectory: '/repo', exists });
    assert.match(home.command, /^uwsgi --plugin python3,http --virtualenv env2 --http 127/);
    assert.match(home.note, /--virtualenv env2/);
    const plain = cmd('uwsgi', 'app:app', { python: '/usr/bin/python3', workingDirectory: '/repo', exists });
    assert.match(plain.command, /^uwsgi --plugin python3,http --http 127/);
    assert.match(plain.note, /not in a virtualenv/, '/usr/bin/uwsgi beside /usr/bin/python3 is not a venv program');
  });
});

describe('readConfig checks app at config time', () => {
  const read = (inputs: Record<string, string>) =>
    readConfig({ getInput: (n) => inputs[n] ?? '', readFile: () => undefined, workspace: '/ws', cores: 2 });

  it('names the input, the value and the accepted forms', () => {
    assert.throws(
      () => read({ server: 'uwsgi', app: 'flaskr:create_app(' }),
      (err: unknown) => err instanceof ConfigError && /^Input `app` is "flaskr:create_app\(": expected module:callable .*module:create_app\(\).*a module/.test(err.message),
    );
  });

  it('accepts a factory for every preset', () => {
    for (const server of PRESETS) {
      const t = read({ server, app: 'flaskr:create_app()' }).targets[0]!;
      assert.match(t.command, /create_app/, server);
      assert.ok(t.serverNote, server);
    }
  });
});
