import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** tests/browser */
export const BROWSER_TESTS_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
/** repo root */
export const REPO_ROOT = dirname(dirname(BROWSER_TESTS_DIR));
/** tests/browser/output: logs and screenshots (git-ignored) */
export const OUTPUT_DIR = join(BROWSER_TESTS_DIR, 'output');

export function outputPath(name) {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  return join(OUTPUT_DIR, name);
}

/** A file-name-safe version of a test name. */
export function slug(text) {
  return String(text).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'test';
}
