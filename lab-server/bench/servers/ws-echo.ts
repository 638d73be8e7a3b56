/** Child process: the reference `ws` echo server (perMessageDeflate off, ws defaults otherwise). */
import { createRequire } from 'node:module';
import { WebSocketServer } from 'ws';
import { serveBenchChild } from './child-protocol.ts';
import { nativeAddonReport } from './native-addons.ts';

const require = createRequire(import.meta.url);

await serveBenchChild(
  () =>
    new Promise((resolve, reject) => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
      wss.on('connection', (socket) => {
        socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
        socket.on('error', () => {});
      });
      wss.on('error', reject);
      wss.on('listening', () => {
        const address = wss.address();
        if (typeof address !== 'object' || address === null) {
          reject(new Error('ws server has no TCP address'));
          return;
        }
        resolve({
          port: address.port,
          path: '/echo',
          info: `ws ${(require('ws/package.json') as { version: string }).version}; ${nativeAddonReport()}`,
          connectionCount: () => wss.clients.size,
          close: () =>
            new Promise<void>((done) => {
              for (const client of wss.clients) client.terminate();
              wss.close(() => done());
            }),
        });
      });
    }),
);
