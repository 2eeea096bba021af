#!/usr/bin/env node
// The `orzo` command.
import { start } from './start.js';

await start('orzo', 'src/cli/main.ts');
