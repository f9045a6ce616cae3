#!/usr/bin/env node
// Generates the README's command reference from oclif.manifest.json (run `npm run docs`).
// `--check` exits 1 when the README is out of date, for CI.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const START = '<!-- commands -->';
const END = '<!-- commandsstop -->';

function flagLine(name, flag) {
  const names = [
    flag.char ? `-${flag.char}, ` : '',
    `--${name}`,
    ...(flag.aliases ?? []).map((a) => `, --${a}`),
  ].join('');
  const value =
    flag.type === 'option' ? (flag.options ? `=${flag.options.join('|')}` : '=<value>') : '';
  const extra = [];
  if (flag.default !== undefined && flag.type === 'option')
    extra.push(`default: ${JSON.stringify(flag.default)}`);
  if (flag.multiple) extra.push('repeatable');
  const text = (flag.summary ?? flag.description ?? '').replace(/\n/g, ' ');
  return `| \`${(names + value).replace(/\|/g, '\\|')}\` | ${text}${extra.length ? ` (${extra.join('; ')})` : ''} |`;
}

function render(manifest) {
  const ids = Object.keys(manifest.commands).sort();
  const out = [];
  for (const id of ids) {
    const c = manifest.commands[id];
    const name = `origin ${id.replace(/:/g, ' ')}`;
    const args = Object.entries(c.args ?? {}).map(([a, spec]) =>
      spec.required ? a.toUpperCase() : `[${a.toUpperCase()}]`,
    );
    out.push(
      `### \`${name}${args.length ? ` ${args.join(' ')}${c.strict === false ? '…' : ''}` : ''}\``,
      '',
    );
    const bin = (text) => text.replace(/<%= config.bin %>/g, 'origin');
    if (c.summary) out.push(bin(c.summary), '');
    if (c.description) out.push(bin(c.description), '');
    const argRows = Object.entries(c.args ?? {}).map(
      ([a, spec]) => `| \`${a.toUpperCase()}\` | ${spec.description ?? ''} |`,
    );
    if (argRows.length) out.push('| argument | meaning |', '| --- | --- |', ...argRows, '');
    const own = Object.entries(c.flags ?? {}).filter(
      ([, f]) => f.helpGroup !== 'GLOBAL' && !f.hidden,
    );
    if (own.length)
      out.push('| flag | meaning |', '| --- | --- |', ...own.map(([n, f]) => flagLine(n, f)), '');
    const examples = (c.examples ?? []).map((e) => (typeof e === 'string' ? { command: e } : e));
    if (examples.length) {
      out.push('```sh');
      for (const e of examples) {
        if (e.description) out.push(`# ${e.description}`);
        out.push(e.command.replace(/<%= config.bin %>/g, 'origin'));
      }
      out.push('```', '');
    }
  }
  const anyCommand = manifest.commands[ids[0]];
  const globals = Object.entries(anyCommand.flags).filter(([, f]) => f.helpGroup === 'GLOBAL');
  out.push(
    '### Flags every command takes',
    '',
    '| flag | meaning |',
    '| --- | --- |',
    ...globals.map(([n, f]) => flagLine(n, f)),
    '',
  );
  return out.join('\n');
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'));
const readmePath = join(ROOT, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start < 0 || end < start) throw new Error(`README.md needs ${START} and ${END} markers`);
const next = `${readme.slice(0, start + START.length)}\n${render(manifest)}\n${readme.slice(end)}`;
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error(
      'README.md command reference is out of date: run `npm run docs` and commit the result.',
    );
    process.exit(1);
  }
  console.log('README.md command reference is up to date.');
} else {
  writeFileSync(readmePath, next);
  console.log(`README.md: documented ${Object.keys(manifest.commands).length} commands`);
}
