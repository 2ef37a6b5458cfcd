#!/usr/bin/env node
// Entry point of the `pmesh` command. libp2p 3 needs Node >= 22: inside a
// clone, `npx pmesh` and `npm start` run the Node that the `node` dev
// dependency installs, whatever the system's Node is.
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write(`pmesh needs Node.js 22 or newer (this is ${process.version}); run it as "npx pmesh" inside the project, or install a newer Node\n`)
  process.exit(1)
}
const { main } = await import('../dist/src/cli/main.js')
// exit as soon as the command is done: a stopped node may leave sockets and
// timers winding down for a few seconds, and stdout/stderr are synchronous
// for files and pipes on POSIX, so nothing printed is lost
process.exit(await main(process.argv.slice(2)))
