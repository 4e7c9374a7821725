// Lint guards the architecture: domain/ does no I/O, components do not import each other,
// promises are never left floating, and only the config module reads process.env.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const components = ['gateway', 'simulator', 'lander', 'control']

const ioModules = [
  'fs',
  'net',
  'http',
  'https',
  'http2',
  'dgram',
  'dns',
  'tls',
  'child_process',
  'cluster',
  'worker_threads',
  'os',
  'process',
  'readline',
  'stream',
  'zlib',
].flatMap((m) => [m, `node:${m}`, `${m}/*`, `node:${m}/*`])

export default tseslint.config(
  { ignores: ['node_modules/', 'coverage/', 'test-artifacts/', 'src/control/web/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'error',
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read settings through the config module (src/platform/config.ts).',
        },
      ],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({ name, message: 'domain/ is pure logic: no I/O.' })),
          patterns: [
            {
              group: [
                'pg',
                'pg-*',
                '@platformatic/*',
                'fastify',
                'fastify/*',
                '@fastify/*',
                'pino',
                'prom-client',
              ],
              message: 'domain/ is pure logic: no I/O libraries.',
            },
            {
              group: ['../platform/*', '../stack/*', '../cli/*', ...components.map((c) => `../${c}/*`)],
              message: 'domain/ depends on nothing but itself.',
            },
          ],
        },
      ],
    },
  },
  ...components.map((component) => ({
    files: [`src/${component}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: components.filter((c) => c !== component).flatMap((c) => [`../${c}/*`, `../../${c}/*`]),
              message: 'Components do not import each other; share through src/domain or src/platform.',
            },
          ],
        },
      ],
    },
  })),
  // the layers under the components: each imports only what is below it (DEVELOPERS.md "Layout")
  ...[
    [
      'platform',
      ['stack', 'cli', 'observability', 'aggregates', 'database', ...components],
      'platform/ is the runtime every layer shares: it imports domain/ and itself only.',
    ],
    [
      'database',
      ['stack', 'cli', 'observability', 'aggregates', ...components],
      'database/ (migrations, partitions, retention, logins) builds on domain/ and platform/ only.',
    ],
    [
      'observability',
      ['stack', 'cli', 'aggregates', ...components],
      'observability/ reads Prometheus and Grafana for the CLI: domain/ and platform/ only.',
    ],
    [
      'aggregates',
      ['stack', 'cli', 'observability', ...components],
      'aggregates/ (in-stream upkeep, verify, rebuild) builds on domain/, platform/ and database/ only; the lander plugs it in.',
    ],
    [
      'stack',
      ['cli', 'aggregates', ...components],
      'stack/ starts processes; it may not import the CLI or components (they run as child processes).',
    ],
  ].map(([layer, forbidden, message]) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: forbidden.flatMap((f) => [`../${f}/*`, `../../${f}/*`]), message }] },
      ],
    },
  })),
  {
    files: [
      'src/cli/main.ts',
      'bin/**/*.js',
      'deploy/docker/**/*.js',
      'test/**/*.ts',
      'scripts/**/*.ts',
      'bench/**/*.ts',
      'chaos/**/*.ts',
      'src/stack/**/*.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // the web panel's own scripts: plain ES modules run by the browser, no build step
    files: ['src/control/web/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
)
