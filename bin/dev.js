#!/usr/bin/env node
// Development entry: oclif runs the TypeScript sources when ts-node is installed, else the build in
// dist/ (debug output on). `npm run build` + bin/run.js is the shipped path.
require('@oclif/core').execute({ development: true, dir: __dirname });
