// Unit tests of the frontend extension (jsdom). Galata UI tests live in ui-tests/.
const jestJupyterLab = require('@jupyterlab/testing/lib/jest-config');

// Packages shipped as ES modules that babel must turn into CommonJS for jest.
const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@microsoft',
  '@jupyterlab/',
  'exenv-es6',
  'lib0',
  'marked',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yaml',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  reporters: ['default'],
  roots: ['<rootDir>/extension'],
  testRegex: 'extension/.*/__tests__/.*\\.spec\\.tsx?$',
  collectCoverageFrom: ['extension/**/*.{ts,tsx}', '!extension/**/__tests__/**'],
  transform: {
    ...baseConfig.transform,
    '^.+\\.tsx?$': [
      'ts-jest/legacy',
      {
        tsconfig: {
          allowJs: true,
          esModuleInterop: true,
          jsx: 'react',
          module: 'commonjs',
          moduleResolution: 'node',
          resolveJsonModule: true,
          skipLibCheck: true,
          strict: true,
          target: 'ES2022',
          types: ['jest']
        }
      }
    ],
    '^.+\\.jsx?$': [
      'babel-jest',
      { presets: [['@babel/preset-env', { targets: { node: 'current' } }]] }
    ]
  },
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
