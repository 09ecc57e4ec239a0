import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = path.join(ROOT, 'dist');
export const FLASK_DIR = path.join(ROOT, 'examples', 'flask');
export const DJANGO_DIR = path.join(ROOT, 'examples', 'django');
/** The Debian Python that owns gunicorn, uWSGI's plugin, waitress, Flask and Django. */
export const PY = '/usr/bin/python3';
export const FLASK_FACTORY_DIR = path.join(ROOT, 'examples', 'flask-factory');
