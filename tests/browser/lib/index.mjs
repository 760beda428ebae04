export { startHerald, heraldCommand } from './server.mjs';
export { startProxy } from './proxy.mjs';
export { launchBrowser, CHROMIUM, CHROMIUM_ARGS } from './browser.mjs';
export { publish } from './publish.mjs';
export { waitFor } from './wait.mjs';
export { OUTPUT_DIR, REPO_ROOT, outputPath, slug } from './paths.mjs';
