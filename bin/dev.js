#!/usr/bin/env node
// Runs the TypeScript sources without a build step (needs ts-node); `npm run build` + bin/run.js is the shipped path.
require('@oclif/core').execute({ development: true, dir: __dirname });
