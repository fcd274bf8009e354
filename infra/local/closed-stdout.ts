/**
 * `npm run actions -- list | head -1`: once the reader of stdout is gone, the next write fails
 * with EPIPE (Node ignores SIGPIPE). Like other Unix tools, stop quietly with exit code 0 instead
 * of an unhandled `write EPIPE` and its stack trace. Any other stdout error is one line, exit 1.
 */
export function exitQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    process.stderr.write(`Cannot write the output: ${err.message}\n`);
    process.exit(1);
  });
}
