#!/usr/bin/env node
// The `metricd` command, the same as `orzo metricd`.
import process from 'node:process';

import { start } from './start.js';

process.argv.splice(2, 0, 'metricd');
await start('orzo', 'src/cli/main.ts');
