/**
 * `hf`: a fragment for a Hugging Face dataset or model card (README.md): YAML front matter with
 * the Hub's license ids, then a Markdown "## Provenance" section.
 *
 *   ---
 *   license:            one Hub id, or a list when several licenses apply
 *     - cc-by-4.0
 *     - other
 *   license_name: …     when a license has no Hub id (`other`): its name, or `several-licenses`
 *   license_link: …     its link when known, or the anchor of the section listing them all
 *   tags:
 *     - origin-provenance
 *   ---
 *
 * With --json: {"card_data": {the front matter}, "content": "<the whole fragment>"}.
 */
import { stringify } from 'yaml';
import { ExportContext, licenseOf, verifyCommand } from './context';
import { HubLicense, conjunction, hubLicense } from './licenses';
import { code, count, markdownTable, percent, text } from '../markdown';

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
    const hub = licenseOf(ctx, s.license).terms.map((t) =>
      hubLicense(ctx.taxonomy, t.id, t.exception),
    );
    byRecorded.set(s.license, hub);
    for (const h of hub) {
      if (!ids.includes(h.hub)) ids.push(h.hub);
      if (h.hub === 'other' && !others.has(h.spdx)) others.set(h.spdx, h);
    }
  }
  return { ids, others: [...others.values()], byRecorded };
}

/** The heading that lists the licenses without a Hub id, and its anchor on the Hub and GitHub. */
export const OTHERS_HEADING = 'Licenses without a Hub id';
export const OTHERS_ANCHOR = '#licenses-without-a-hub-id';
/** license_name when several licenses have no Hub id (the card's section names each). */
export const SEVERAL_OTHERS_NAME = 'several-licenses';

/**
 * The front matter; keys in the order the Hub writes them (license fields first, then tags).
 * The Hub takes one `license_name` and one `license_link`: one license without a Hub id gives
 * its own name and link; several give `several-licenses` and a link to the card's section that
 * lists each.
 */
export function hfCardData(ctx: ExportContext, licenses = hfLicenses(ctx)): HfCardData {
  const ids = licenses.ids.length ? licenses.ids : ['unknown'];
  const [only, ...more] = licenses.others;
  const other =
    only === undefined
      ? {}
      : more.length === 0
        ? { license_name: only.name as string, ...(only.link ? { license_link: only.link } : {}) }
        : { license_name: SEVERAL_OTHERS_NAME, license_link: OTHERS_ANCHOR };
  return { license: ids.length === 1 ? ids[0] : ids, ...other, tags: [HF_TAG] };
}

export function renderHfMarkdown(ctx: ExportContext, licenses: HfLicenses): string {
  const p = ctx.provenance;
  const s = p.session;
  const lic = p.licenses;
  const readings = p.sources.map((x) => licenseOf(ctx, x.license));
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
        ['Resulting license (SPDX)', code(conjunction(readings))],
        ['Use category', `${text(lic.use_category)} (checked for ${text(lic.use)} use)`],
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
        'License as recorded',
        'Hub license',
        'Records',
        'Share of records',
        'Content bytes',
        'Share of content bytes',
        'SHA-256 of its fingerprints',
      ],
      p.sources.map((x) => [
        text(x.source),
        code(licenseOf(ctx, x.license).expression),
        code(x.license),
        (licenses.byRecorded.get(x.license) ?? []).map((h) => code(h.hub)).join(', '),
        count(x.records),
        percent(x.record_share),
        count(x.bytes),
        percent(x.byte_share),
        code(x.sha256),
      ]),
    ),
    '',
  );
  if (licenses.others.length) {
    out.push(
      `### ${OTHERS_HEADING}`,
      '',
      licenses.others.length === 1
        ? 'This one is declared as `license: other`, with `license_name` and, when known, `license_link`.'
        : 'These are declared as `license: other`, with `license_name: several-licenses` and ' +
            '`license_link` pointing here.',
      '',
      ...markdownTable(
        ['License (SPDX)', 'Name', 'Link'],
        licenses.others.map((o) => [code(o.spdx), code(o.name ?? ''), o.link ? text(o.link) : '—']),
      ),
      '',
    );
  }
  const findings = [...lic.conflicts, ...lic.warnings];
  if (findings.length) {
    out.push('### License conflicts and warnings', '');
    for (const f of findings)
      out.push(
        `- **${text(f.severity)}** ${code(f.rule)} — ${f.licenses.map(text).join(' + ')}: ` +
          `${text(f.message)} (sources: ${f.sources.map(text).join(', ')}; ` +
          `${count(f.records)} records)`,
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
