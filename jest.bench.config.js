// Benchmarks: `jlpm jest -c jest.bench.config.js` runs bench/*.bench.ts with
// the unit tests' transforms. They print a Markdown report.
const base = require('./jest.config');
const { compilerOptions } = require('./tsconfig.json');

module.exports = {
  ...base,
  // Only the top-level bench/; ui-tests/bench/ holds Playwright benchmarks.
  roots: ['<rootDir>/bench'],
  testRegex: '\\.bench\\.ts$',
  testTimeout: 600000,
  modulePathIgnorePatterns: [
    ...base.modulePathIgnorePatterns,
    '<rootDir>/.venv/'
  ],
  transform: {
    ...base.transform,
    // tsconfig.json's options, with bench/ inside the root.
    '^.+\\.tsx?$': [
      'ts-jest/legacy',
      { tsconfig: { ...compilerOptions, rootDir: '.', composite: false } }
    ]
  }
};
