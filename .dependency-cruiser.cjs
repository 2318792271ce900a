/**
 * The layers and the arrows allowed between them (docs/architecture.md). Each rule forbids an arrow that would
 * point upwards; with them, and with no cycles between modules or between folders, the import graph stays a
 * picture of the design: commands → cli → services → processors → domain, processors → port ← adapters, and
 * config and topologies read by all.
 */
const src = (folder) => `^src/${folder}/`
const layer = (name, from, allowed, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: '^(src|commands|topologies)/', pathNot: allowed },
})

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'No module imports itself, however indirectly.', from: {}, to: { circular: true } },
    {
      name: 'no-folder-cycles',
      severity: 'error',
      scope: 'folder',
      comment: 'No folder imports itself through others: each folder is a room with doors one way.',
      from: {},
      to: { circular: true },
    },
    layer('domain-is-pure', src('domain'), src('domain'), 'The domain imports nothing of the application.'),
    layer('contracts-describe-the-domain', src('contracts'), `${src('domain')}|${src('contracts')}`, 'Schemas of the domain types, nothing else.'),
    layer(
      'topologies-are-declarations',
      '^topologies/[^/]+$',
      `^topologies/[^/]+$|${src('contracts')}|${src('domain')}`,
      'Topic specs and group names name the contracts, and nothing that runs.',
    ),
    layer('the-stack-is-declarations', '^topologies/aws/', '^topologies/', 'The AWS stack names topics and groups; it imports no running code.'),
    layer(
      'config-reads-only',
      src('config'),
      `${src('config')}|${src('domain')}|${src('contracts')}|^topologies/|^src/(errors|time-span)\\.ts$`,
      'Config is read by every layer, so it may import none of them (only the leaf helpers errors and time-span).',
    ),
    layer('the-port-stands-alone', '^src/log/[^/]+$', '^src/log/[^/]+$|^topologies/|^src/errors\\.ts$', 'The port knows no adapter.'),
    layer(
      'adapters-implement-the-port',
      '^src/log/(embedded|kafka)/',
      `^src/log/|${src('config')}|${src('contracts')}|${src('domain')}|^topologies/|^src/[^/]+\\.ts$`,
      'An adapter knows the port, its own settings and the contracts: no processor, service or caller.',
    ),
    layer(
      'processors-see-the-port',
      src('processors'),
      `${src('processors')}|${src('domain')}|${src('contracts')}|^src/log/[^/]+$|${src('config')}|^topologies/|^src/[^/]+\\.ts$`,
      'Processors get capabilities over the port, never an adapter, a service or a caller.',
    ),
    layer(
      'the-tui-renders',
      '^src/tui/',
      `^src/tui/|${src('domain')}|${src('contracts')}|${src('services')}|${src('demo')}|${src('config')}|^topologies/|^src/[^/]+\\.ts$`,
      'Ink components take props and a TailSource; they never open or read the log themselves.',
    ),
    layer(
      'render-is-text',
      src('render'),
      `${src('render')}|${src('domain')}`,
      'Plain-text renderings of domain values, shared by the CLI and the demo: they read nothing and decide nothing.',
    ),
    {
      name: 'only-commands-are-entry-points',
      severity: 'error',
      comment: 'Nothing imports a command: commands are the top of the graph.',
      from: { path: '^(src|topologies)/' },
      to: { path: '^commands/' },
    },
    {
      name: 'no-caller-in-services',
      severity: 'error',
      comment: 'Services know nothing of flags or terminals: no cli, no command.',
      from: { path: src('services') },
      to: { path: `${src('cli')}|^commands/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.venv|cdk\\.out)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
}
