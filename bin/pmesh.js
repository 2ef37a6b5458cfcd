#!/usr/bin/env node
// Entry point of the `pmesh` command. libp2p 3 needs Node >= 22: inside a
// clone, `npx pmesh` and `npm start` run the Node that the `node` dev
// dependency installs, whatever the system's Node is.
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write(`pmesh needs Node.js 22 or newer (this is ${process.version}); run it as "npx pmesh" inside the project, or install a newer Node\n`)
  process.exit(1)
}
// a reader that stops early (`pmesh inbox | head -1`) closes the pipe: stop quietly, as a shell
// tool killed by SIGPIPE does, rather than with a stack trace
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', err => { process.exit(err.code === 'EPIPE' ? 0 : 1) })
}
const { main } = await import('../dist/src/cli/main.js')
const code = await main(process.argv.slice(2))
// Exit as soon as the command is done — a stopped node may leave sockets and timers winding down
// for a few seconds — but only once stdout and stderr have handed everything to the OS: writes to
// a pipe are asynchronous on POSIX, and exiting earlier lost all a slow reader had not taken yet
// (`pmesh inbox --json | jq` stopped at 64 KiB). A write's callback runs once it and all before it
// are flushed.
await Promise.all([process.stdout, process.stderr].map(stream => new Promise(resolve => stream.write('', resolve))))
process.exit(code)
