import { CommanderError, type Command } from 'commander';
import { printJson } from './output.js';
import { buildProgram } from './program.js';

/** Exit code of a command line that could not be understood (bad option, missing argument). */
const USAGE_ERROR = 2;

/** Parses `process.argv` and runs the command; sets `process.exitCode`. */
export async function runCli(): Promise<void> {
  const json = process.argv.includes('--json');
  // `purecontext-mcp search x | head` closes the pipe early: that is the reader being done,
  // not a failure worth a stack trace. `serve` handles its own stdout (the client went away).
  if (process.argv[2] !== 'serve') {
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(process.exitCode ?? 0);
    });
  }
  const program = buildProgram();

  // Usage errors are thrown rather than exiting, so that --json callers get the same error
  // document as for any other failure instead of commander's text.
  const configure = (cmd: Command): void => {
    cmd.exitOverride();
    if (json) cmd.configureOutput({ writeErr: () => {} });
    for (const sub of cmd.commands) configure(sub);
  };
  configure(program);

  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.exitCode === 0) process.exit(0); // --help, --version
    if (json) {
      printJson({ error: { code: 'PCTX_ERR_INVALID_ARGUMENT', message: err.message.replace(/^error: /, ''), details: { reason: err.code } } });
    }
    process.exitCode = USAGE_ERROR;
  }
}
