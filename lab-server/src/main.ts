/**
 * `npm start`: the lab server and the built site on one port.
 * Port 8455: nothing famous uses it, and it echoes RFC 6455 enough to remember.
 */
import { parseCliArgs, USAGE } from './node/cli-args.ts';
import { checkInspectTarget, InspectTargetError } from './node/inspect-target.ts';
import { describeSocketError, LOG_PREFIX } from './node/log.ts';
import { startLabServer } from './node/server.ts';

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

let settings;
try {
  settings = parseCliArgs(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`lab-server: ${(error as Error).message}`);
  process.exit(EXIT_USAGE);
}
if (settings.help) {
  console.log(USAGE);
  process.exit(0);
}

if (settings.inspect !== null) {
  // A target that is not this machine (without --inspect-allow-remote) or does not resolve is a usage error.
  try {
    await checkInspectTarget(settings.inspect);
  } catch (error) {
    console.error(`lab-server: ${(error as Error).message}`);
    process.exit(EXIT_USAGE);
  }
}

let server;
try {
  server = await startLabServer({
    port: settings.port,
    host: settings.host,
    ...(settings.inspect === null ? {} : { inspect: settings.inspect }),
    allowedOrigins: settings.allowedOrigins,
  });
} catch (error) {
  if (error instanceof InspectTargetError) {
    // Known only once listening: a target that is the lab server itself.
    console.error(`lab-server: ${error.message}`);
    process.exit(EXIT_USAGE);
  }
  console.error(`lab-server: cannot listen on ${settings.host}:${settings.port}: ${describeSocketError(error)}`);
  process.exit(EXIT_FAILURE);
}

// Handlers first: whoever reads the URL below may signal at once (tests and scripts do).
let stopping = false;
const stop = (signal: string): void => {
  if (stopping) {
    // A second Ctrl+C means now.
    process.exit(EXIT_FAILURE);
  }
  stopping = true;
  console.log(`${LOG_PREFIX} ${signal}: closing every WebSocket with 1001 and stopping`);
  server.close().then(
    () => process.exit(0),
    () => process.exit(EXIT_FAILURE),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

const ws = server.url.replace(/^http:/, 'ws:');
console.log(`Lab server and site: ${server.url}/`);
console.log(`  echo:      ${ws}/echo`);
console.log(`  lab:       ${ws}/lab/observe  (observer)   ${ws}/lab?session=ID  (subject)`);
console.log(`  pvp:       ${ws}/pvp/observe  (push versus polling, one run per connection)`);
if (settings.inspect !== null) {
  console.log(`  inspect: point your app at ${ws}/inspect (relayed to ${settings.inspect.target.href})`);
  console.log(`           watch it with ${ws}/lab/observe?watch=inspect (docs/lab-protocol.md)`);
}
console.log(server.unmasking === 'native'
  ? '  unmasking: native (lab-server/native, built by npm ci)'
  : '  unmasking: WebAssembly (the native addon was not built: npm ci builds it when a C compiler is present)');
console.log('Press Ctrl+C to stop.');

