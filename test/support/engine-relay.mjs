// A byte relay in front of the engine's socket, in a process of its own, so a test can freeze
// "the engine" with SIGSTOP (and thaw it with SIGCONT) without touching the real one.
import { rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const [listenPath, enginePath] = process.argv.slice(2);
rmSync(listenPath, { force: true });
const server = createServer((client) => {
  const upstream = connect(enginePath);
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.listen(listenPath, () => console.log('listening'));
