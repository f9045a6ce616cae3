/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Command tests spawn the built CLI; give slow CI machines room.
  testTimeout: 60000,
  verbose: true,
};
