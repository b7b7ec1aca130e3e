// One process running migrateAuthjs once, as an app's start-up would; prints its report as JSON.
import { migrateAuthjs, type MigrateAuthjsOptions } from '../../../src/app/authjs/index.js';
import { silentLogger } from '../../../src/index.js';

const options = JSON.parse(process.argv[2] ?? '{}') as MigrateAuthjsOptions;
const report = await migrateAuthjs({ ...options, logger: silentLogger });
process.stdout.write(JSON.stringify(report));
