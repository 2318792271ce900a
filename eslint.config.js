import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/** Import boundaries that keep the architecture visible; see docs/decisions/. */
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] })
const inkOnly = { group: ['ink', 'ink-*', 'react'], message: 'Only src/tui and the tail/demo commands render with Ink.' }
const awsOnly = { group: ['@aws-sdk/*'], message: 'Only src/cloud talks to AWS.' }
const kafkaOnly = { group: ['kafkajs'], message: 'Only src/log/kafka imports kafkajs; everything else sees the port.' }
const sqliteOnly = { group: ['better-sqlite3'], message: 'Only the embedded adapter and the audit index open SQLite.' }

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.venv/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // With noUncheckedIndexedAccess, `!` marks an index the code has just bounds-checked.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['**/*.js', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
  {
    files: ['src/**/*.ts', 'commands/**/*.ts', 'topologies/**/*.ts'],
    ignores: ['src/tui/**', 'src/log/**', 'src/cloud/**', 'src/services/audit-index/**', 'commands/tail.ts', 'commands/demo/**'],
    rules: restrict([inkOnly, awsOnly, kafkaOnly, sqliteOnly]),
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: restrict([
      { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http'], message: 'The domain is pure: no I/O.' },
      { group: ['**/log/**', '**/cli/**', '**/services/**', '**/processors/**', '**/config/**'], message: 'The domain imports nothing of the application.' },
      inkOnly,
      awsOnly,
      kafkaOnly,
      sqliteOnly,
    ]),
  },
  {
    // Only config reads the environment; only the base command decides how the process ends.
    files: ['src/**/*.ts', 'src/**/*.tsx', 'commands/**/*.ts'],
    ignores: ['src/config/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/config reads process.env; take an Environment or a setting.' },
        { object: 'process', property: 'exit', message: 'Nothing in src ends the process: throw a RiskctlError; the base command maps it to an exit code.' },
      ],
    },
  },
  {
    files: ['src/processors/**/*.ts'],
    rules: restrict([
      { group: ['**/log/embedded/**', '**/log/kafka/**', '**/services/**', '**/cli/**', '**/tui/**', '**/cloud/**'], message: 'Processors see the port and their capabilities, never an adapter or a caller.' },
      inkOnly,
      awsOnly,
      kafkaOnly,
      sqliteOnly,
    ]),
  },
  {
    files: ['src/log/embedded/**/*.ts'],
    rules: restrict([inkOnly, awsOnly, kafkaOnly]),
  },
  {
    files: ['test/**/*.ts', 'test/**/*.tsx', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
)
