import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { allSearchAttributes } from '../workflows/search-attributes';
import { resolveTemporalCli, type CliSource } from './temporal-cli';
import { devServerSearchAttributeFlags, ensureSearchAttributes } from './search-attributes';

/**
 * SQLite settings for the dev server's state file: write-ahead logging and `synchronous=normal` make it
 * as fast as the in-memory server (measured in issue 13: 2.5 to 2.8 times faster than the defaults). A
 * crash of the process loses nothing; a power loss or kernel crash may lose the last transactions not yet
 * checkpointed (never corrupts the file), which a dev server may.
 */
export const fileStatePragmas = [
  '--sqlite-pragma',
  'journal_mode=wal',
  '--sqlite-pragma',
  'synchronous=normal',
];

/**
 * One partition per task queue. The server's default (4 read and 4 write partitions) spreads a queue over a
 * cluster's matching hosts; on one dev server with a worker or two, it only makes a task wait in a
 * partition no poll is on until it is forwarded. Measured with `npm run bench -- --sites 100 --server
 * memory`, two pairs of runs on a busy machine: the floor 45 % and 7 % faster, the engine 26 % and 17 %.
 */
export const devServerDynamicConfig = {
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  'system.enableActivityEagerExecution': true,
};

export interface DevServerOptions {
  ip?: string;
  /** gRPC port; 0 picks a free one. */
  port: number;
  /** Web UI port; absent runs the server headless. 0 picks a free one. */
  uiPort?: number;
  /** Keeps the server's state in this SQLite file so a restart resumes running workflows. */
  dbFilename?: string;
  namespace?: string;
  /** `--dynamic-config-value` settings of the server (key → JSON value), over `devServerDynamicConfig`. */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** How long to wait for the first answer; a cold start of the CLI can take well over the SDK's 5 s. */
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  source: CliSource;
  stop(): Promise<void>;
}

export async function freePort(ip = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, ip, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls the frontend until it answers a real RPC, or gives up after `timeoutMs`. */
export async function waitForTemporal(
  address: string,
  timeoutMs: number,
  child?: ChildProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`The Temporal dev server exited with code ${child.exitCode} before it answered`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

/**
 * Starts `temporal server start-dev` with the project's search attributes, waits until it answers,
 * and returns a handle whose `stop()` ends it. Falls back to the SDK's own download when no CLI is found.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  // A port found free may be taken before the server binds it, by it (it opens more ports of its own)
  // or by another process: with ports of its choosing, a server that dies at start is tried again.
  const attempts = options.port === 0 || options.uiPort === 0 ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServerOnce(options);
    } catch (err) {
      if (attempt >= attempts || !(err instanceof DevServerExited)) throw err;
      options.log?.(`The dev server exited at start (${err.message.split('\n')[0]}); trying other ports`);
    }
  }
}

/** The server process ended before it answered. */
class DevServerExited extends Error {}

async function startDevServerOnce(options: DevServerOptions): Promise<DevServer> {
  const log = options.log ?? (() => {});
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const port = options.port === 0 ? await freePort(ip) : options.port;
  const uiPort = options.uiPort === 0 ? await freePort(ip) : options.uiPort;
  if (options.dbFilename) mkdirSync(path.dirname(options.dbFilename), { recursive: true });
  const cli = resolveTemporalCli(log);
  const address = `${ip}:${port}`;
  const uiUrl = uiPort !== undefined ? `http://${ip === '0.0.0.0' ? '127.0.0.1' : ip}:${uiPort}` : undefined;

  const dynamicConfigArgs = Object.entries({ ...devServerDynamicConfig, ...options.dynamicConfig }).flatMap(
    ([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`],
  );

  if (cli.source === 'sdk-download') {
    log('No Temporal CLI found; using the SDK download of the dev server');
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip,
        port,
        ui: uiPort !== undefined,
        uiPort,
        dbFilename: options.dbFilename,
        namespace,
        searchAttributes: [...allSearchAttributes],
        extraArgs: dynamicConfigArgs,
      },
    });
    return { address, namespace, uiUrl, source: cli.source, stop: () => env.teardown() };
  }

  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--namespace', namespace];
  args.push(
    ...(uiPort !== undefined ? ['--ui-port', String(uiPort), '--ui-disable-news-fetch'] : ['--headless']),
  );
  if (options.dbFilename) args.push('--db-filename', options.dbFilename, ...fileStatePragmas);
  args.push(...devServerSearchAttributeFlags(), '--log-level', 'error');
  args.push(...dynamicConfigArgs);
  log(`Starting the Temporal dev server (${cli.path}, from ${cli.source}) on ${address}`);
  const child = spawn(cli.path!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // The start of its error output says why it failed (a Go panic's first line); the end, where.
  let stderrHead = '';
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderrHead.length < 2000) stderrHead += chunk.toString().slice(0, 2000 - stderrHead.length);
    else stderrTail = (stderrTail + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
    if (timedOut) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  try {
    await waitForTemporal(address, options.startTimeoutMs ?? 60_000, child);
    const connection = await Connection.connect({ address });
    try {
      await ensureSearchAttributes(connection, namespace);
    } finally {
      await connection.close();
    }
  } catch (err) {
    const died = child.exitCode !== null;
    await stop();
    const output = `${stderrHead}${stderrTail ? `\n…\n${stderrTail}` : ''}`;
    const message = `${(err as Error).message}${output ? `\n${output}` : ''}`;
    throw died ? new DevServerExited(message) : new Error(message);
  }
  return { address, namespace, uiUrl, source: cli.source, stop };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
