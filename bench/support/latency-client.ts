/**
 * A client in a process of its own, as a job's is: times `GET <path>` against
 * two engine API sockets in turn and prints both samples as JSON.
 * Usage: latency-client.ts <direct socket> <proxied socket> <path> <calls>
 */
import { request } from 'node:http';

const [directSocket, proxiedSocket, path, calls] = process.argv.slice(2) as [string, string, string, string];

function get(socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path }, (res) => {
      res.resume();
      res.once('end', resolve);
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

const samples = { direct: [] as number[], proxied: [] as number[] };
for (let i = 0; i < 20; i++) {
  await get(directSocket);
  await get(proxiedSocket);
}
for (let i = 0; i < Number(calls); i++) {
  let t = performance.now();
  await get(directSocket);
  samples.direct.push(performance.now() - t);
  t = performance.now();
  await get(proxiedSocket);
  samples.proxied.push(performance.now() - t);
}
console.log(JSON.stringify(samples));
