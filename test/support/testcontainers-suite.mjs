// A testcontainers suite as its users write one, run in a process of its own (testcontainers
// reads DOCKER_HOST and its TESTCONTAINERS_* settings once per process). Prints one JSON line:
// what each usual call returned, for the calling test to check. It stops one container and
// leaves the other, and its network, to whoever removes the engine's objects.
// usage: node testcontainers-suite.mjs <httpd image> <httpd port> <busybox image>
import { writeSync } from 'node:fs';
import { GenericContainer, Network, Wait } from 'testcontainers';

const [httpdImage, httpdPort, busyboxImage] = process.argv.slice(2);
const port = Number(httpdPort);
const network = await new Network().start();
const web = await new GenericContainer(httpdImage)
  .withExposedPorts(port)
  .withNetwork(network)
  .withNetworkAliases('web')
  .withCopyContentToContainer([{ content: 'copied in by testcontainers', target: '/tmp/copied.txt' }])
  .start();
const client = await new GenericContainer(busyboxImage)
  .withCommand(['sh', '-c', 'echo client is up; exec sleep 3600'])
  .withNetwork(network)
  .withWaitStrategy(Wait.forLogMessage('client is up'))
  .start();

const page = await fetch(`http://${web.getHost()}:${web.getMappedPort(port)}/`).then((r) => r.text());
const copied = (await web.exec(['cat', '/tmp/copied.txt'])).output;
const byAlias = (await client.exec(['wget', '-qO-', `http://web:${port}/`])).output;
const logs = await new Promise((resolve, reject) => {
  let text = '';
  const timer = setTimeout(
    () => reject(new Error(`no "client is up" in the logs within 10 s: ${text}`)),
    10_000,
  );
  client.logs({ tail: 10 }).then((stream) => {
    const done = () => {
      clearTimeout(timer);
      stream.destroy();
      resolve(text);
    };
    stream.on('data', (chunk) => {
      text += chunk.toString();
      if (text.includes('client is up')) done();
    });
    stream.on('end', done);
    stream.on('error', reject);
  }, reject);
});
const ids = { web: web.getId(), client: client.getId(), network: network.getId() };
// The client and the network are left running, as a suite cut off midway leaves them.
await web.stop();
// Written synchronously: a pipe write still pending when something calls process.exit() is lost.
writeSync(1, `${JSON.stringify({ page, copied, byAlias, logs, ids })}\n`);
