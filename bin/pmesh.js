#!/usr/bin/env node
// Entry point of the `pmesh` command. libp2p 3 needs Node >= 22: the launcher
// bin/pmesh (what npm links as `pmesh`) and `npm start` run the Node that the
// `node` dependency installs, whatever the system's Node is.
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write(`pmesh needs Node.js 22 or newer (this is ${process.version}); run it through bin/pmesh, which uses the Node.js that "npm install" put in node_modules/node, or install a newer Node\n`)
  process.exit(1)
}
// `pmesh start` runs for days and meets strangers: its memory should follow what it holds, not the
// machine it runs on. V8 sizes the young generation by the machine's memory (64 MiB on a 24 GiB host),
// and a burst of short-lived streams (a stranger opening hundreds, each refused) fills all of it and
// keeps those pages resident after the garbage is gone. 4 MiB semi-spaces bound that at the price of
// more frequent young-generation collections (design record 008). The
// process replaces itself with one that has the flag, keeping its pid and stdio; where Node cannot
// (Windows), or the user chose a size (a flag or NODE_OPTIONS), it runs as it is
const SEMI_SPACE = '--max-semi-space-size'
if (process.argv[2] === 'start' && typeof process.execve === 'function' &&
    ![...process.execArgv, process.env.NODE_OPTIONS ?? ''].some(arg => arg.includes(SEMI_SPACE))) {
  process.execve(process.execPath, [process.execPath, `${SEMI_SPACE}=4`, ...process.execArgv, ...process.argv.slice(1)], process.env)
}
// a reader that stops early (`pmesh inbox | head -1`) closes the pipe: stop quietly, as a shell
// tool killed by SIGPIPE does, rather than with a stack trace
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', err => { process.exit(err.code === 'EPIPE' ? 0 : 1) })
}
// libp2p's loggers decide whether to colour each time one is made — a terminal check, a system call, for
// every connection and stream: ~4 % of a busy process's CPU in a profile of 100 nodes pushing
// presence. Decide once, as they would (colours when stderr is a terminal), unless the user chose
if (process.env.DEBUG_COLORS === undefined) process.env.DEBUG_COLORS = process.stderr.isTTY ? 'true' : 'false'
// the command's bundle (scripts/build-cli.ts): the same code as dist/src, in a few dozen files
// loaded in half the CPU time of its 675 modules
const { main } = await import('../dist/cli/main.js')
const code = await main(process.argv.slice(2))
// Exit as soon as the command is done — a stopped node may leave sockets and timers winding down
// for a few seconds — but only once stdout and stderr have handed everything to the OS: writes to
// a pipe are asynchronous on POSIX, and exiting earlier lost all a slow reader had not taken yet
// (`pmesh inbox --json | jq` stopped at 64 KiB). A write's callback runs once it and all before it
// are flushed.
await Promise.all([process.stdout, process.stderr].map(stream => new Promise(resolve => stream.write('', resolve))))
process.exit(code)
