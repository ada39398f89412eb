// `npm run server`: the server alone, configured by the environment.

import { startServer } from './app.js';
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const server = await startServer(config);
  const storage = server.db.engine === 'sqlite' ? `sqlite ${server.db.location}` : `postgres ${server.db.location}`;
  console.log(`fx-backoffice server listening on ${server.url} (storage: ${storage}${config.demo ? ', demo mode' : ''})`);
  const stop = (signal: string) => {
    server.app.log.info(`${signal}: shutting down`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
