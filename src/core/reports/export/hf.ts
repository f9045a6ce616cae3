/**
 * `hf`: a fragment for a Hugging Face dataset or model card (README.md): YAML front matter with
 * the Hub's license ids, then a Markdown "## Provenance" section.
 *
 *   ---
 *   license:            one Hub id, or a list when several licenses apply
 *     - cc-by-4.0
 *     - other
 *   license_name: …     when a license has no Hub id (`other`)
 *   license_link: …     its link, when there is exactly one such license and its link is known
 *   tags:
 *     - origin-provenance
 *   ---
 *
 * With --json: {"card_data": {the front matter}, "content": "<the whole fragment>"}.
 */
import { stringify } from 'yaml';
import { ExportContext, licenseOf, verifyCommand } from './context';
import { HubLicense, hubLicense } from './licenses';
import { count, markdownTable, percent } from '../markdown';

export const HF_TAG = 'origin-provenance';

export interface HfCardData {
  license: string | string[];
  license_name?: string;
  license_link?: string;
  tags: string[];
}

export interface HfLicenses {
  /** Hub ids in order of the records they cover, each once. */
  ids: string[];
  /** The licenses that went in as `other`. */
  others: HubLicense[];
  /** Per recorded license string: its Hub licenses. */
  byRecorded: Map<string, HubLicense[]>;
}

export function hfLicenses(ctx: ExportContext): HfLicenses {
  const ids: string[] = [];
  const others = new Map<string, HubLicense>();
  const byRecorded = new Map<string, HubLicense[]>();
  for (const s of ctx.provenance.sources) {
    if (byRecorded.has(s.license)) continue;
    const hub = licenseOf(ctx, s.license).ids.map((id) => hubLicense(ctx.taxonomy, id));
    byRecorded.set(s.license, hub);
    for (const h of hub) {
      if (!ids.includes(h.hub)) ids.push(h.hub);
      if (h.hub === 'other' && !others.has(h.spdx)) others.set(h.spdx, h);
    }
  }
  return { ids, others: [...others.values()], byRecorded };
}

/** The front matter; keys in the order the Hub writes them (license fields first, then tags). */
export function hfCardData(ctx: ExportContext, licenses = hfLicenses(ctx)): HfCardData {
  const ids = licenses.ids.length ? licenses.ids : ['unknown'];
  const names = licenses.others.map((o) => o.name);
  const links = licenses.others.map((o) => o.link);
  return {
    license: ids.length === 1 ? ids[0] : ids,
    ...(names.length ? { license_name: names.join('-and-') } : {}),
    ...(links.length === 1 && links[0] ? { license_link: links[0] } : {}),
    tags: [HF_TAG],
  };
}

export function renderHfMarkdown(ctx: ExportContext, licenses: HfLicenses): string {
  const p = ctx.provenance;
  const s = p.session;
  const lic = p.licenses;
  const out: string[] = ['## Provenance', ''];
  out.push(
    `The training data was recorded by ${p.generator.name} ${p.generator.version} in session ` +
      `\`${s.session_id}\`: every sample fingerprinted (SHA-256 of its content), every source's ` +
      'license carried through to the whole. Figures as of ' +
      `${p.generated_at}.`,
    '',
  );
  out.push(
    ...markdownTable(
      ['Field', 'Value'],
      [
        ['Records', count(s.records)],
        ['Distinct samples', count(s.distinct_samples)],
        ['Duplicates', count(s.duplicates)],
        ['Content bytes', count(s.bytes)],
        ['Sources', count(new Set(p.sources.map((x) => x.source)).size)],
        ['Batches', count(p.integrity.batches)],
        ['Resulting license (SPDX)', `\`${lic.license}\``],
        ['Use category', `${lic.use_category} (checked for ${lic.use} use)`],
        ['Session root (RFC 6962, SHA-256)', `\`${p.integrity.session_root}\``],
        ['Session head (SPEC §2.2)', `\`${p.integrity.session_head}\``],
      ],
    ),
    '',
    '### Sources',
    '',
    ...markdownTable(
      [
        'Source',
        'License (SPDX)',
        'Hub license',
        'Records',
        'Share',
        'SHA-256 of its fingerprints',
      ],
      p.sources.map((x) => [
        x.source,
        `\`${x.license}\``,
        (licenses.byRecorded.get(x.license) ?? []).map((h) => `\`${h.hub}\``).join(', '),
        count(x.records),
        percent(x.share),
        `\`${x.sha256}\``,
      ]),
    ),
    '',
  );
  if (licenses.others.length) {
    out.push(
      '### Licenses without a Hub id',
      '',
      'These are declared as `license: other`; `license_name` names them.',
      '',
      ...markdownTable(
        ['License (SPDX)', 'Name', 'Link'],
        licenses.others.map((o) => [`\`${o.spdx}\``, `\`${o.name}\``, o.link ?? '—']),
      ),
      '',
    );
  }
  const findings = [...lic.conflicts, ...lic.warnings];
  if (findings.length) {
    out.push('### License conflicts and warnings', '');
    for (const f of findings)
      out.push(
        `- **${f.severity}** \`${f.rule}\` — ${f.licenses.join(' + ')}: ${f.message} ` +
          `(sources: ${f.sources.join(', ')}; ${count(f.records)} records)`,
      );
    out.push('', '_Origin flags license combinations for human review; this is not legal advice._');
    out.push('');
  }
  out.push(
    '### Verify',
    '',
    'The session root is the RFC 6962 Merkle tree head over the SHA-256 fingerprints of every ' +
      'sample, in the order they were observed: one hash that pins exactly this data. Check it ' +
      'against the Origin database:',
    '',
    '```sh',
    verifyCommand(ctx),
    '```',
    '',
  );
  return out.join('\n');
}

export function renderHf(ctx: ExportContext): string {
  const licenses = hfLicenses(ctx);
  const data = hfCardData(ctx, licenses);
  const content = `---\n${stringify(data)}---\n\n${renderHfMarkdown(ctx, licenses)}`;
  if (ctx.json) return `${JSON.stringify({ card_data: data, content }, null, 2)}\n`;
  return content;
}
