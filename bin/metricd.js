#!/usr/bin/env node
// The `metricd` command, the same as `orzo metricd`.
import process from 'node:process';

import { register } from 'tsx/esm/api';

register();
process.argv.splice(2, 0, 'metricd');
await import('../src/cli/main.ts');
