/**
 * The Markdown provenance card of a session. Deterministic: the same store gives the same card
 * byte for byte, except the generation time, which SOURCE_DATE_EPOCH pins.
 */
import { PropagatedFinding } from '../licenses';
import { count, markdownTable, percent } from './markdown';
import { SessionProvenance } from './provenance';

const table = (head: string[], rows: (string | number)[][]): string =>
  markdownTable(head, rows).join('\n');

const list = (xs: readonly string[]): string =>
  xs.length ? xs.map((x) => `\`${x}\``).join(', ') : '—';

function findings(title: string, items: readonly PropagatedFinding[]): string[] {
  if (items.length === 0) return [`**${title}:** none.`];
  const out = [`**${title}:**`, ''];
  for (const f of items) {
    const involved = f.involved
      .map((i) => `${i.license} from ${i.sources.join(', ')} (${count(i.records)} records)`)
      .join('; ');
    out.push(
      `- \`${f.rule}\` — **${f.licenses.join(' + ')}**: ${f.message} Involved: ${involved}.`,
    );
  }
  return out;
}

export function renderCard(p: SessionProvenance): string {
  const lineage = p.lineage;
  const s = p.session;
  const lic = p.licenses;
  const meta = Object.entries(s.metadata);
  const out: string[] = [];
  out.push(`# Provenance card — session \`${s.session_id}\``, '');

  out.push('## Session', '');
  out.push(
    table(
      ['Field', 'Value'],
      [
        ['Session id', `\`${s.session_id}\``],
        ['Status', s.status],
        ['Started (UTC)', s.started_at],
        ['Ended (UTC)', s.ended_at ?? '—'],
        ['Config hash (SHA-256)', s.config_hash ? `\`${s.config_hash}\`` : '—'],
        ['Metadata', meta.length ? meta.map(([k, v]) => `${k}=${v}`).join(', ') : '—'],
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
      ['Source', 'License', 'Records', 'Bytes', 'Share', 'SHA-256 of its fingerprints'],
      p.sources.map((x) => [
        x.source,
        `\`${x.license}\``,
        count(x.records),
        count(x.bytes),
        percent(x.share),
        `\`${x.sha256}\``,
      ]),
    ),
    '',
    '### By license',
    '',
  );
  out.push(
    table(
      ['License', 'Name', 'Records', 'Bytes', 'Share', 'Sources'],
      lic.by_license.map((l) => [
        `\`${l.license}\``,
        l.name,
        count(l.records),
        count(l.bytes),
        percent(s.records ? l.records / s.records : 0),
        l.sources.join(', '),
      ]),
    ),
    '',
  );

  out.push('## License analysis', '');
  out.push(
    table(
      ['Field', 'Value'],
      [
        ['Resulting license', `\`${lic.license}\``],
        ['Intended use checked', lic.use],
        ['Use category', lic.use_category],
        ['Copyleft', lic.copyleft],
        ['Permissions (all licenses grant)', list(lic.permissions)],
        ['Restrictions (any license imposes)', list(lic.restrictions)],
        ['Conditions (any license requires)', list(lic.conditions)],
        [
          'Share-alike target',
          lic.share_alike_target
            ? `\`${lic.share_alike_target}\``
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
        `- ${a.sources.join(', ')} — \`${a.license}\` (${a.name})${a.url ? ` <${a.url}>` : ''}`,
      );
    out.push('');
  } else out.push('**Attribution required for:** none.', '');
  out.push(...findings('Conflicts', lic.conflicts), '');
  out.push(...findings('Warnings', lic.warnings), '');
  if (p.license_notes.length) {
    out.push('**License notes:**', '');
    for (const n of p.license_notes) out.push(`- ${n.note}`);
    out.push('');
  }
  out.push('_Origin flags license combinations for human review; this is not legal advice._', '');

  out.push('## Integrity', '');
  const ib = p.integrity;
  out.push(
    table(
      ['Field', 'Value'],
      [
        ['Session root (RFC 6962, SHA-256)', `\`${ib.session_root}\``],
        ['Origins root (sources and licenses, SPEC §2.1)', `\`${ib.origins_root}\``],
        ['Session head (SPEC §2.2)', `\`${ib.session_head}\``],
        ['Batches', count(ib.batches)],
        [
          'First batch root',
          ib.first_batch ? `#${ib.first_batch.seq}: \`${ib.first_batch.root}\`` : '—',
        ],
        [
          'Last batch root',
          ib.last_batch ? `#${ib.last_batch.seq}: \`${ib.last_batch.root}\`` : '—',
        ],
      ],
    ),
    '',
    'Check this card against the database, pinning the root and head printed here:',
    '',
    '```sh',
    ib.verify_command,
    '```',
    '',
    'Prove that one sample was part of this session, and check the proof without the database:',
    '',
    '```sh',
    `origin prove <fingerprint> --session ${s.session_id} -o proof.json`,
    `origin verify-proof proof.json --root ${ib.session_root}`,
    '```',
    '',
  );

  out.push('## Lineage', '');
  if (lineage.length === 0)
    out.push('No training runs or evaluations recorded for this session.', '');
  else {
    out.push(
      table(
        ['Event', 'Hash', 'Time (UTC)', 'Details'],
        lineage.map((e) => [e.type, `\`${e.hash}\``, e.timestamp, e.summary]),
      ),
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
