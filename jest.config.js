const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

// Packages shipped as ES modules must be transformed, or importing
// @jupyterlab/notebook fails with "Unexpected token 'export'".
const esModules = [
  '@codemirror',
  '@jupyter/',
  '@jupyterlab/',
  '@lumino',
  'lib0',
  'yjs',
  'y-protocols',
  'y-websocket',
  'nanoid',
  'marked',
  '@microsoft',
  'exenv-es6',
  'isomorphic-git',
  'vscode-ws-jsonrpc'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  testRegex: 'src/.*\\.spec\\.tsx?$',
  reporters: ['default'],
  modulePathIgnorePatterns: ['<rootDir>/jupyterlab_experiments/'],
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
