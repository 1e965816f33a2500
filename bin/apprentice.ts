#!/usr/bin/env node
// The executable: the library's CLI plus the Detektor demo (examples/), composed here so that
// nothing under src/ imports the demo pack.
import { demoCommand } from '../examples/detektor/demo-command.js';
import { run } from '../src/cli/program.js';

run(process.argv.slice(2), [demoCommand()]);
