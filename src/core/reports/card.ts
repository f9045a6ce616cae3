/**
 * The Markdown provenance card of a session. Deterministic: the same store gives the same card
 * byte for byte, except the generation time, which SOURCE_DATE_EPOCH pins.
 */
import { PropagatedFinding } from '../licenses';
import { CONTROL_CHARACTERS, code, count, markdownTable, percent, text } from './markdown';
import { SessionProvenance } from './provenance';

const table = (head: string[], rows: (string | number)[][]): string =>
  markdownTable(head, rows).join('\n');

const list = (xs: readonly string[]): string => (xs.length ? xs.map(code).join(', ') : '—');

const names = (xs: readonly string[]): string => xs.map(text).join(', ');

function findings(title: string, items: readonly PropagatedFinding[]): string[] {
  if (items.length === 0) return [`**${title}:** none.`];
  const out = [`**${title}:**`, ''];
  for (const f of items) {
    const involved = f.involved
      .map((i) => `${code(i.license)} from ${names(i.sources)} (${count(i.records)} records)`)
      .join('; ');
    out.push(
      `- ${code(f.rule)} — **${f.licenses.map(text).join(' + ')}**: ${text(f.message)} Involved: ${involved}.`,
    );
  }
  return out;
}

/** Sources beyond this many largest are one "other" slice of the chart. */
export const PIE_SLICES = 12;

/**
 * Mermaid's pie labels are double-quoted strings that know entity codes (`#quot;`) but no
 * backslash escapes: the characters that could end the label or start a code become codes.
 */
const pieLabel = (label: string): string =>
  label.replace(CONTROL_CHARACTERS, ' ').replace(/[#"<>&]/g, (c) => `#${c.charCodeAt(0)};`);

/** A mermaid pie of the composition by content bytes, per source and license (GitHub renders it). */
function compositionPie(p: SessionProvenance): string[] {
  if (p.session.bytes === 0) return ['No content bytes were recorded, so there is no chart.'];
  const slices = [...p.sources].sort((a, b) => b.bytes - a.bytes);
  const shown = slices.length > PIE_SLICES ? slices.slice(0, PIE_SLICES - 1) : slices;
  const rest = slices.slice(shown.length);
  const lines = shown.map((x) => `    "${pieLabel(`${x.source} (${x.license})`)}" : ${x.bytes}`);
  if (rest.length)
    lines.push(
      `    "${rest.length} other source/license pairs" : ${rest.reduce((n, x) => n + x.bytes, 0)}`,
    );
  return ['```mermaid', 'pie showData title Content bytes by source and license', ...lines, '```'];
}

export function renderCard(p: SessionProvenance): string {
  const lineage = p.lineage;
  const s = p.session;
  const lic = p.licenses;
  const meta = Object.entries(s.metadata);
  const out: string[] = [];
  out.push(`# Provenance card — session ${code(s.session_id)}`, '');

  out.push('## Session', '');
  out.push(
    table(
      ['Field', 'Value'],
      [
        ['Session id', code(s.session_id)],
        ['Status', text(s.status)],
        ['Started (UTC)', s.started_at],
        ['Ended (UTC)', s.ended_at ?? '—'],
        ['Config hash (SHA-256)', s.config_hash ? code(s.config_hash) : '—'],
        ['Metadata', meta.length ? meta.map(([k, v]) => `${text(k)}=${text(v)}`).join(', ') : '—'],
      ],
    ),
    '',
  );

  out.push('## Summary', '');
  out.push(
    table(
      [
        'Records',
        'Distinct samples',
        'Duplicates',
        'Content bytes',
        'Batches',
        'Sources',
        'Skipped lines',
      ],
      [
        [
          count(s.records),
          count(s.distinct_samples),
          count(s.duplicates),
          count(s.bytes),
          count(s.batches),
          count(new Set(p.sources.map((x) => x.source)).size),
          count(s.skipped),
        ],
      ],
    ),
    '',
  );

  out.push('## Composition', '', '### By source', '');
  out.push(
    table(
      [
        'Source',
        'License',
        'Records',
        'Share of records',
        'Content bytes',
        'Share of content bytes',
        'SHA-256 of its fingerprints',
      ],
      p.sources.map((x) => [
        text(x.source),
        code(x.license),
        count(x.records),
        percent(x.record_share),
        count(x.bytes),
        percent(x.byte_share),
        code(x.sha256),
      ]),
    ),
    '',
    '### By license',
    '',
  );
  out.push(
    table(
      [
        'License',
        'Name',
        'Records',
        'Share of records',
        'Content bytes',
        'Share of content bytes',
        'Sources',
      ],
      lic.by_license.map((l) => [
        code(l.license),
        text(l.name),
        count(l.records),
        percent(s.records ? l.records / s.records : 0),
        count(l.bytes),
        percent(s.bytes ? l.bytes / s.bytes : 0),
        names(l.sources),
      ]),
    ),
    '',
    '### By content bytes',
    '',
    ...compositionPie(p),
    '',
  );

  out.push('## License analysis', '');
  out.push(
    table(
      ['Field', 'Value'],
      [
        ['Resulting license', code(lic.license)],
        ['Intended use checked', text(lic.use)],
        ['Use category', text(lic.use_category)],
        ['Copyleft', text(lic.copyleft)],
        ['Permissions (all licenses grant)', list(lic.permissions)],
        ['Restrictions (any license imposes)', list(lic.restrictions)],
        ['Conditions (any license requires)', list(lic.conditions)],
        [
          'Share-alike target',
          lic.share_alike_target
            ? code(lic.share_alike_target)
            : lic.share_alike.length
              ? 'none common to all share-alike licenses'
              : '—',
        ],
      ],
    ),
    '',
  );
  if (lic.attribution.length) {
    out.push('**Attribution required for:**', '');
    for (const a of lic.attribution)
      out.push(
        `- ${names(a.sources)} — ${code(a.license)} (${text(a.name)})${a.url ? ` ${text(a.url)}` : ''}`,
      );
    out.push('');
  } else out.push('**Attribution required for:** none.', '');
  out.push(...findings('Conflicts', lic.conflicts), '');
  out.push(...findings('Warnings', lic.warnings), '');
  if (p.license_notes.length) {
    out.push('**License notes:**', '');
    for (const n of p.license_notes) out.push(`- ${text(n.note ?? n.recorded)}`);
    out.push('');
  }
  out.push('_Origin flags license combinations for human review; this is not legal advice._', '');

  out.push('## Integrity', '');
  const ib = p.integrity;
  const sid = s.session_id;
  // The session head and the store head (SPEC §2.2, §2.4) belong in this table once the store
  // records them.
  out.push(
    table(
      ['Field', 'Value'],
      [
        ['Session root (RFC 6962, SHA-256)', code(ib.session_root)],
        ['Origins root (sources and licenses, SPEC §2.1)', code(ib.origins_root)],
        ['Session head (SPEC §2.2)', code(ib.session_head)],
        ['Batches', count(ib.batches)],
        [
          'First batch root',
          ib.first_batch ? `#${ib.first_batch.seq}: ${code(ib.first_batch.root)}` : '—',
        ],
        [
          'Last batch root',
          ib.last_batch ? `#${ib.last_batch.seq}: ${code(ib.last_batch.root)}` : '—',
        ],
      ],
    ),
    '',
    '### What each digest is, and how to re-derive it',
    '',
    `- **Sample fingerprint**: SHA-256 of a sample's content bytes; for a text sample it is what \`printf '%s' "$text" | sha256sum\` prints.`,
    '- **Session root**: the RFC 6962 Merkle tree head (SHA-256) over the 32-byte fingerprint of ' +
      `every observation of the session, in the order observed (${count(s.records)} leaves). ` +
      'It pins exactly which samples the session saw, in which order. ' +
      '`origin verify` recomputes it from every stored observation and fails (exit 3) unless it ' +
      'is the root pinned here.',
    "- **Batch roots**: the same tree over one batch's fingerprints; `origin verify` recomputes " +
      'every one.',
    '- **Origins root**: a second RFC 6962 tree, whose leaf i is SHA-256 of the RFC 8785 (JCS) ' +
      'JSON array `[source, license]` of observation i. It pins where each observation came from ' +
      'and under which license; `origin verify` recomputes it, and `origin prove` gives the path of ' +
      "one observation's source and license in it.",
    '- **Session head**: SHA-256 of the JCS document of the session id, status, start and end ' +
      'times, config hash, metadata, record, byte and skipped counts, session root and origins ' +
      'root (SPEC §2.2). It pins every claim about the session, not only its samples; ' +
      '`origin verify --head` recomputes it.',
    '- **SHA-256 of its fingerprints** (per source, in the composition table): SHA-256 over the ' +
      "concatenated 32-byte fingerprints of that source's observations under that license, in " +
      'session order. It pins exactly which samples one source contributed.',
    ...(s.config_hash
      ? [
          '- **Config hash**: given to `origin session start --config-hash` by whoever ran the ' +
            'session; Origin records it and does not derive it.',
        ]
      : []),
    '',
    'Check this card against the database, pinning the root and head printed here:',
    '',
    '```sh',
    ib.verify_command,
    '```',
    '',
    "Re-derive a source's SHA-256 from the exported observations (jq, xxd and sha256sum; put the " +
      "row's source and license in place of SOURCE and LICENSE):",
    '',
    '```sh',
    `origin export ${sid} --format jsonl \\`,
    "  | jq -r --arg source 'SOURCE' --arg license 'LICENSE' \\",
    '      \'select(.type == "observation" and .source == $source and .license == $license) | .fingerprint\' \\',
    '  | xxd -r -p | sha256sum',
    '```',
    '',
    'Prove that one sample was part of this session, and check the proof without the database:',
    '',
    '```sh',
    `origin prove <fingerprint> --session ${sid} -o proof.json`,
    `origin verify-proof proof.json --root ${ib.session_root}`,
    '```',
    '',
  );

  out.push('## Lineage', '');
  if (lineage.length === 0) out.push('No lineage events recorded for this session.', '');
  else {
    out.push(
      'The dataset events that link this session, the training runs and evaluations built on ' +
        'them, and the dataset events those evaluations name:',
      '',
      table(
        ['Event', 'Hash', 'Time (UTC)', 'Details'],
        lineage.map((e) => [
          `${text(e.type)}${e.type === 'dataset' && !e.links_session ? ' (another dataset)' : ''}`,
          code(e.hash),
          `${text(e.timestamp)}${e.before_session ? ' ⚠ before the session started' : ''}`,
          text(e.summary),
        ]),
      ),
      '',
    );
    const early = lineage.filter((e) => e.before_session).length;
    if (early)
      out.push(
        `⚠ ${count(early)} event${early === 1 ? ' is' : 's are'} dated before the session ` +
          `started (${text(s.started_at)}), so it tells of something before this data was ` +
          'recorded: check the clocks, or how the events were recorded.',
        '',
      );
  }

  out.push(
    '---',
    '',
    `Generated by ${p.generator.name} ${p.generator.version} at ${p.generated_at}.`,
    '',
  );
  return out.join('\n');
}
