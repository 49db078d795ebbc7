import { spawn } from 'node:child_process';

/**
 * Why some commands run in a child process.
 *
 * A parse worker that parsed a few files of a language asks V8 to recompile the hottest
 * grammar functions with its optimising compiler, on background threads. Those functions
 * are huge (a grammar's lexer is one function of up to 600 KB of WebAssembly), a compile
 * takes seconds, and nothing can cancel one in progress: neither `worker.terminate()` nor
 * `process.exit()` returns before it ends. Indexing a tree with a few files in each of 14
 * languages printed its result at 4 s and exited at 12 s.
 *
 * So `index` and `serve` run in a child process that tells this process when its output is
 * written and its databases are closed; this process then exits with the child's exit code
 * and kills the child, compiles and all. The parent loads nothing but this file.
 *
 * A child must not outlive its supervisor: a supervisor killed with SIGKILL (by an
 * operator, a service manager or the OOM killer) cannot pass a signal on, and a child
 * left running would go on serving, or commit an index run, behind the back of whoever
 * killed what they took for the process. The child watches its IPC channel, which the
 * kernel closes when the parent dies however it dies; see `watchSupervisor`.
 */

/** Set in the child's environment; its presence means "report to the parent when done". */
export const SUPERVISED_ENV = 'PCTX_CLI_SUPERVISED';

/** Commands that load grammars (directly, or through the MCP `index_folder` tool). */
const SUPERVISED_COMMANDS: ReadonlySet<string> = new Set(['index', 'serve']);

interface DoneMessage {
  type: 'pctx-done';
  exitCode: number;
}

/** True when this process should supervise a child instead of running `argv` itself. */
export function shouldSupervise(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return env[SUPERVISED_ENV] === undefined && SUPERVISED_COMMANDS.has(argv[2] ?? '');
}

/**
 * Runs this same script with the same arguments in a child process sharing stdin, stdout
 * and stderr, and exits with its exit code as soon as it reports it is done (or as soon as
 * it exits, whichever comes first). Never returns.
 */
export function superviseChild(script: string): void {
  const child = spawn(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [SUPERVISED_ENV]: '1' },
  });
  let finished = false;
  const finish = (code: number) => {
    if (finished) return;
    finished = true;
    child.kill('SIGKILL');
    process.exit(code);
  };
  child.on('message', (msg: DoneMessage) => {
    if (msg?.type === 'pctx-done') finish(msg.exitCode);
  });
  child.on('exit', (code, signal) => finish(code ?? (signal === 'SIGINT' ? 130 : 1)));
  child.on('error', (err) => {
    process.stderr.write(`error: could not start the command: ${err.message}\n`);
    finish(1);
  });
  // A terminal's Ctrl-C reaches both processes; a signal sent to this one alone is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => child.kill(signal));
  }
}

/** Aborted when the supervising parent is gone; created by watchSupervisor in a supervised child. */
let supervisorLost: AbortController | undefined;
/** Set once the child reported done: the parent is about to kill it, nothing to stop. */
let doneReported = false;

/**
 * In a supervised child, called first: watches the IPC channel to the supervisor, whose
 * end closes (`disconnect`) when the supervisor exits or is killed. From then on
 * `supervisorGone()` is aborted; the commands treat that as SIGTERM (`serve` finishes the
 * requests in flight and stops; `index` aborts its run, which rolls back), and
 * `reportDone` exits the process, since no supervisor is left to kill it. Does nothing
 * in a process that is not supervised.
 */
export function watchSupervisor(): void {
  if (process.env[SUPERVISED_ENV] === undefined || !process.send || supervisorLost) return;
  const lost = (supervisorLost = new AbortController());
  const onGone = () => {
    if (doneReported || lost.signal.aborted) return;
    process.stderr.write('purecontext-mcp: the supervising process is gone; stopping as on SIGTERM\n');
    lost.abort(new Error('the supervising process is gone'));
  };
  if (!process.connected) onGone();
  else process.once('disconnect', onGone);
  // A `disconnect` listener keeps the channel, and so the process, alive; the channel must
  // not: a command that ends without reporting done (a usage error) still exits by itself.
  process.channel?.unref();
}

/**
 * Aborted when the supervisor of this process is gone (see watchSupervisor); never in a
 * process that is not supervised. Commands that run until stopped, or run long, stop on
 * it as they do on SIGTERM.
 */
export function supervisorGone(): AbortSignal {
  return supervisorLost?.signal ?? new AbortController().signal;
}

/**
 * In a supervised child: tells the parent the command is finished (output written, files
 * closed) with this exit code, so it can exit without waiting for this process to wind
 * down; with the parent gone, exits with that code instead. Does nothing in a process that
 * is not supervised. Call it last.
 */
export function reportDone(): void {
  if (process.env[SUPERVISED_ENV] === undefined || !process.send) return;
  // Nobody is left to kill this process once its command is done: it exits by itself,
  // without waiting for what keeps it alive (grammar compiles, see above).
  if (supervisorLost?.signal.aborted || !process.connected) process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  doneReported = true;
  const message: DoneMessage = { type: 'pctx-done', exitCode: typeof process.exitCode === 'number' ? process.exitCode : 0 };
  process.send(message);
}
