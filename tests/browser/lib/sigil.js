// Starts the built sigil binary on a free loopback port with a fresh SQLite database in a
// temporary directory, seeds it through its CLI, and stops it — as tests/rp/*.py do.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository root (tests/browser/lib/../../..). */
export const ROOT = resolve(import.meta.dirname, '..', '..', '..');

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const CLI_TIMEOUT_MS = 60_000;

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** A running `sigil serve` and its CLI, against one temporary database. */
export class Sigil {
  constructor(binary, workdir, port) {
    this.binary = binary;
    this.workdir = workdir;
    this.issuer = `http://127.0.0.1:${port}`;
    this.env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('SIGIL_')),
    );
    Object.assign(this.env, {
      SIGIL_BIND: `127.0.0.1:${port}`,
      SIGIL_ISSUER: this.issuer,
      SIGIL_DATABASE_URL: `sqlite://${join(workdir, 'sigil.db')}`,
    });
    this.logPath = join(workdir, 'serve.log');
    this.proc = null;
  }

  /** Starts sigil (the binary named by SIGIL_BIN, else target/debug/sigil) with the settings
   *  `env` (such as `{ SIGIL_IMPERSONATION_MAX_LIFETIME: '3' }`) and waits for /healthz. */
  static async start(env = {}) {
    const binary = resolve(ROOT, process.env.SIGIL_BIN ?? 'target/debug/sigil');
    const workdir = mkdtempSync(join(tmpdir(), 'sigil-browser-'));
    const sigil = new Sigil(binary, workdir, await freePort());
    Object.assign(sigil.env, env);
    const log = openSync(sigil.logPath, 'w');
    sigil.proc = spawn(binary, ['serve'], {
      cwd: workdir,
      env: sigil.env,
      stdio: ['ignore', log, log],
    });
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (sigil.proc.exitCode !== null) {
        throw new Error(`sigil serve exited with ${sigil.proc.exitCode}:\n${sigil.logTail()}`);
      }
      try {
        const res = await fetch(`${sigil.issuer}/healthz`);
        if (res.status === 200) return sigil;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    await sigil.stop();
    throw new Error(`sigil serve did not answer /healthz within ${STARTUP_TIMEOUT_MS} ms`);
  }

  /** The last lines of the server's log, for failure messages. */
  logTail(lines = 30) {
    try {
      return readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** Runs `sigil ARGS…` with `stdin`; returns its JSON output. */
  cli(args, stdin = '') {
    const done = spawnSync(this.binary, args, {
      cwd: this.workdir,
      env: this.env,
      input: stdin,
      encoding: 'utf8',
      timeout: CLI_TIMEOUT_MS,
    });
    if (done.status !== 0) {
      throw new Error(`sigil ${args.join(' ')} exited with ${done.status}: ${done.stderr}`);
    }
    return JSON.parse(done.stdout);
  }

  /** Creates a user through `sigil user create`; returns what it printed (with `id`). */
  createUser({ username, password, email, name, roles = [] }) {
    const args = ['user', 'create', '--username', username, '--password-stdin'];
    if (email) args.push('--email', email);
    if (name) args.push('--name', name);
    for (const role of roles) args.push('--role', role);
    const user = this.cli(args, `${password}\n`);
    if (JSON.stringify(user).includes(password)) {
      throw new Error('user create printed the password');
    }
    return user;
  }

  /** Registers a client through `sigil client create`; returns what it printed. */
  createClient(metadata) {
    return this.cli(['client', 'create', '--metadata-file', '-'], JSON.stringify(metadata));
  }

  /** The discovery document. */
  async discovery() {
    const res = await fetch(`${this.issuer}/.well-known/openid-configuration`);
    if (res.status !== 200) throw new Error(`discovery: HTTP ${res.status}`);
    return res.json();
  }

  /** Stops sigil (SIGTERM, then SIGKILL) and removes its directory. */
  async stop() {
    const proc = this.proc;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((done) => proc.once('exit', done));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.workdir, { recursive: true, force: true });
  }
}
