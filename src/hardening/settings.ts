// Pure: the hardening settings from the `hardening` input and the config file's `hardening:`
// section. Default mode `report`: the checks cost seconds, not minutes, and a row that fails
// is shown but never fails a build until a team opts in with `gate`.
import { ConfigError } from '../errors.js';
import type { HardeningMode, HardeningSettings } from './types.js';

export const HARDENING_MODES = ['off', 'report', 'gate'] as const;

export const HARDENING_DEFAULTS = {
  mode: 'report' as HardeningMode,
  /** Well below a GitHub runner's 7-16 GB, and past every common body limit (Django's 2.5 MiB, nginx's 1 MiB). */
  maxBodyMiB: 64,
  hangTimeoutSeconds: 30,
  slowClientSeconds: 3,
};

export interface FileHardening {
  mode?: HardeningMode;
  'error-path'?: string;
  'body-path'?: string;
  'max-body-mib'?: number;
  'hang-path'?: string;
  'hang-timeout-seconds'?: number;
  'slow-client-seconds'?: number;
}

export function readHardeningSettings(input: string, file: FileHardening | undefined): HardeningSettings {
  let mode = file?.mode ?? HARDENING_DEFAULTS.mode;
  if (input.trim() !== '') {
    const v = input.trim().toLowerCase();
    if (!(HARDENING_MODES as readonly string[]).includes(v)) {
      throw new ConfigError(`Input \`hardening\` is ${JSON.stringify(input)}: expected one of ${HARDENING_MODES.join(', ')}.`);
    }
    mode = v as HardeningMode;
  }
  return {
    mode,
    errorPath: file?.['error-path'],
    bodyPath: file?.['body-path'],
    maxBodyBytes: Math.round((file?.['max-body-mib'] ?? HARDENING_DEFAULTS.maxBodyMiB) * 1024 * 1024),
    hangPath: file?.['hang-path'],
    hangTimeoutSeconds: file?.['hang-timeout-seconds'] ?? HARDENING_DEFAULTS.hangTimeoutSeconds,
    slowClientSeconds: file?.['slow-client-seconds'] ?? HARDENING_DEFAULTS.slowClientSeconds,
  };
}
