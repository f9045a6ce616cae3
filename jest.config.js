/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Command tests spawn the built CLI; give slow CI machines room.
  testTimeout: 60000,
  verbose: true,
  // CI (CI=true, as .ci/run sets it) prints the coverage summary of the sources the unit tests
  // load; `npm test -- --coverage` does it anywhere. The spawned CLI's code is not counted.
  collectCoverage: process.env.CI === 'true',
  collectCoverageFrom: ['src/**/*.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
};
