/**
 * Browser benchmarks (`make bench`): the UI tests' setup, other files.
 */
const base = require('./playwright.config');

module.exports = {
  ...base,
  testMatch: 'bench/**/*.bench.ts',
  retries: 0,
  timeout: 300000
};
