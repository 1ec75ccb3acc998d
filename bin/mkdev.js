#!/usr/bin/env node
// Thin launcher: everything else is loaded lazily by the command that needs it.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
