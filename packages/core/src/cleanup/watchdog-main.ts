/**
 * The watchdog process (see `startWatchdog`). Not imported by the library:
 * spawned as `node watchdog-main.js` with its configuration in SANDKIT_WATCHDOG.
 */
import { connectEngine } from '../engine/connect-engine.js';
import { sweepByLabel } from '../engine/sweep-by-label.js';
import { processStartTime } from '../labels/sandkit-labels.js';
import { delay } from '../util/abort.js';
import { WATCHDOG_ENV, type WatchdogConfig } from './watchdog.js';

const config = JSON.parse(process.env[WATCHDOG_ENV] ?? '{}') as WatchdogConfig;
let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
});
// The owner's terminal going away must not take the watchdog with it.
process.on('SIGHUP', () => {});
process.on('SIGINT', () => {});

const ownerAlive = () => {
  const start = processStartTime(config.ownerPid);
  if (start === undefined) return false;
  return config.ownerStart === undefined || start === config.ownerStart;
};

// An engine that cannot be reached now is skipped: the others are still swept.
const engines = (await Promise.allSettled(config.engines.map((connection) => connectEngine(connection))))
  .filter((outcome) => outcome.status === 'fulfilled')
  .map((outcome) => outcome.value);
const sweepAll = (filter: Parameters<typeof sweepByLabel>[1]) =>
  Promise.all(engines.map((engine) => sweepByLabel(engine, filter)));
let lastTtlCheck = Date.now();
while (!stopping && ownerAlive()) {
  await delay(config.pollMs ?? 250);
  if (Date.now() - lastTtlCheck >= (config.ttlCheckMs ?? 5_000)) {
    lastTtlCheck = Date.now();
    await sweepAll({ session: config.session, expiredAt: Date.now() }).catch(() => {});
  }
}
if (!stopping) {
  // The owner died without closing its session: remove everything it left. Sweep again
  // shortly after, for objects whose creation the engine was still finishing when it died.
  for (const waitMs of [0, 2_000]) {
    await delay(waitMs);
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await sweepAll({ session: config.session });
        break;
      } catch {
        await delay(1_000);
      }
    }
  }
}
process.exit(0);
