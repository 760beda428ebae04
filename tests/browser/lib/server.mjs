import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { REPO_ROOT, outputPath, slug } from './paths.mjs';

const READY = /^Herald listening on (http:\/\/(\S+):(\d+))\s*$/;

let counter = 0;

/** The java binary and jar, from the environment scripts/test sets, with local fallbacks. */
export function heraldCommand() {
  const jar = process.env.HERALD_JAR || join(REPO_ROOT, 'herald-server', 'target', 'herald.jar');
  const java = process.env.HERALD_JAVA || (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java');
  if (!existsSync(jar)) {
    throw new Error(`Herald jar not found at ${jar}: build it (mvn -B -DskipTests package) or run ./scripts/test`);
  }
  return { java, jar };
}

/**
 * Starts `java -jar herald.jar serve --port 0 --host 127.0.0.1 ...extraArgs` and waits for its
 * "Herald listening on http://HOST:PORT" line.
 * Returns { url, host, port, logFile, logTail(lines), process, stop(), exited }. stop() sends SIGTERM and waits for the
 * exit (SIGKILL after `stopTimeoutMs`); it resolves to { code, signal }.
 */
export async function startHerald(extraArgs = [], { name = 'herald', startTimeoutMs = 30_000, stopTimeoutMs = 10_000, env = {} } = {}) {
  const { java, jar } = heraldCommand();
  // Named after the test, so a rerun overwrites its own log; the default name adds the pid.
  counter++;
  const base = name === 'herald' ? `herald-${process.pid}` : slug(name);
  const logFile = outputPath(`${base}${counter > 1 ? `-${counter}` : ''}.log`);
  const log = createWriteStream(logFile);
  const args = [...(process.env.HERALD_TEST_JAVA_OPTS || '').split(/\s+/).filter(Boolean),
    '-jar', jar, 'serve', '--port', '0', '--host', '127.0.0.1', ...extraArgs];
  log.write(`$ ${java} ${args.join(' ')}\n`);

  const child = spawn(java, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.pipe(log, { end: false });

  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let exitInfo = null;
  exited.then((info) => { exitInfo = info; log.write(`\n[exited: code=${info.code} signal=${info.signal}]\n`); });

  const logTail = async (lines = 40) => {
    try {
      const text = await readFile(logFile, 'utf8');
      return text.split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  };

  // Read stdout line by line until the ready line; keep copying stdout into the log after that.
  const ready = new Promise((resolve, reject) => {
    let buffered = '';
    let found = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      log.write(chunk);
      if (found) return;
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).replace(/\r$/, '');
        buffered = buffered.slice(nl + 1);
        const m = READY.exec(line);
        if (m) {
          found = true;
          resolve({ url: m[1], host: m[2], port: Number(m[3]) });
          return;
        }
      }
    });
    child.once('error', (err) => reject(new Error(`could not start ${java}: ${err.message}`)));
    exited.then(async (info) => {
      if (!found) reject(new Error(`Herald exited before it was ready (code=${info.code} signal=${info.signal}); log ${logFile}:\n${await logTail()}`));
    });
  });

  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(async () => reject(new Error(`Herald did not print "Herald listening on" within ${startTimeoutMs} ms; log ${logFile}:\n${await logTail()}`)), startTimeoutMs);
  });

  let info;
  try {
    info = await Promise.race([ready, timeout]);
  } catch (err) {
    if (!exitInfo) child.kill('SIGKILL');
    await exited;
    log.end();
    throw err;
  } finally {
    clearTimeout(timer);
  }

  let stopping = null;
  const stop = () => {
    stopping ??= (async () => {
      if (!exitInfo) {
        child.kill('SIGTERM');
        let killTimer;
        const killed = new Promise((resolve) => {
          killTimer = setTimeout(() => {
            log.write(`\n[no exit ${stopTimeoutMs} ms after SIGTERM: sending SIGKILL]\n`);
            child.kill('SIGKILL');
            resolve();
          }, stopTimeoutMs);
        });
        await Promise.race([exited, killed]);
        clearTimeout(killTimer);
      }
      const result = await exited;
      await new Promise((resolve) => log.end(resolve));
      return result;
    })();
    return stopping;
  };

  return { ...info, logFile, logTail, process: child, stop, exited };
}
