/**
 * `eu-ai-act`: a draft of the AI Office's "Template for the Public Summary of Training Content for
 * general-purpose AI models" (Article 53(1)(d) of Regulation (EU) 2024/1689), filled in with what
 * the store knows about one session. Its sections, numbers and headings follow the template
 * (Annex to the Commission's Explanatory Notice, July 2025):
 *
 *   1. General information: 1.1 provider identification, 1.2 model identification, 1.3
 *      modalities, overall training data size (the template's size band, estimated from the
 *      store) and other characteristics
 *   2. List of data sources: every recorded source with its license, records and share; which of
 *      the template's categories each belongs to (2.1 publicly available datasets; 2.2 private
 *      non-publicly available datasets obtained from third parties, split into 2.2.1 commercially
 *      licensed and 2.2.2 other; 2.3 crawled and scraped data; 2.4 user data; 2.5 synthetic data;
 *      2.6 other sources) is for the provider to state
 *   3. Data processing aspects: 3.1 reservation of rights (TDM opt-outs) and 3.2 removal of illegal
 *      content are for the provider; under 3.3 Origin states deduplication, licenses, conflicts and
 *      the session root
 *
 * Everything the store cannot know is a marked field: "⟨to be completed by the provider⟩" in
 * Markdown; null in JSON, with its path listed in `to_complete`.
 */
import { ExportContext, builtAt, licenseOf, verifyCommand } from './context';
import { count, markdownTable, percent } from '../markdown';

export const TO_COMPLETE = '⟨to be completed by the provider⟩';
export const TEMPLATE_TITLE =
  'Template for the Public Summary of Training Content for general-purpose AI models';
export const TEMPLATE_BASIS = 'Article 53(1)(d) of Regulation (EU) 2024/1689 (AI Act)';

/** Tokens are estimated as content bytes / 4 (a common rule of thumb for text). */
export const BYTES_PER_TOKEN = 4;

/**
 * The template's training data size bands for text. Its own checkbox labels, as reproduced in
 * published summaries, read "1billion to 10 trillions tokens" and "More than 10 trillions tokens";
 * these are the same ranges, spelled out.
 */
export const TEXT_SIZE_BANDS = [
  'Less than 1 billion tokens',
  '1 billion to 10 trillion tokens',
  'More than 10 trillion tokens',
] as const;
export type TextSizeBand = (typeof TEXT_SIZE_BANDS)[number];

export function textSizeBand(tokens: number): TextSizeBand {
  if (tokens < 1e9) return TEXT_SIZE_BANDS[0];
  if (tokens <= 1e13) return TEXT_SIZE_BANDS[1];
  return TEXT_SIZE_BANDS[2];
}

/** Section 2.2 of the template, the parent of 2.2.1 and 2.2.2. */
export const PRIVATE_DATASETS_SECTION =
  'Private non-publicly available datasets obtained from third parties';

/** The template's source categories (sections 2.1 to 2.6), keyed as in the JSON rendering. */
export const CATEGORY_SECTIONS: readonly (readonly [string, string, string])[] = [
  ['2.1', 'publicly_available_datasets', 'Publicly available datasets'],
  [
    '2.2.1',
    'commercially_licensed_datasets',
    'Datasets commercially licensed by rightsholders or their representatives',
  ],
  [
    '2.2.2',
    'private_datasets_from_other_third_parties',
    'Private datasets obtained from other third parties',
  ],
  ['2.3', 'data_crawled_and_scraped', 'Data crawled and scraped from online sources'],
  ['2.4', 'user_data', 'User data'],
  ['2.5', 'synthetic_data', 'Synthetic data'],
  ['2.6', 'other_sources', 'Other sources of data'],
];

/** The category a source can be put in: a template section, by number and heading. */
export const SOURCE_CATEGORIES: readonly string[] = CATEGORY_SECTIONS.map(
  ([num, , title]) => `${num}. ${title}`,
);

type Tbc = null;

export interface EuSummary {
  template: string;
  legal_basis: string;
  status: 'draft';
  generator: string;
  generated_at: string;
  scope: {
    session_id: string;
    session_root: string;
    note: string;
  };
  general_information: {
    provider: { name: Tbc; contact_details: Tbc; authorised_representative: Tbc };
    model: { versioned_names: Tbc; model_dependencies: Tbc; date_placed_on_union_market: Tbc };
    modalities: {
      text: {
        present: true;
        size_band: TextSizeBand;
        estimated_tokens: number;
        token_estimate: string;
        records: number;
        distinct_samples: number;
        content_bytes: number;
        types_of_content: Tbc;
      };
      image: { present: false };
      audio: { present: false };
      video: { present: false };
      other: { present: false };
    };
    latest_recorded_at: string;
    latest_date_of_data_acquisition: Tbc;
    linguistic_characteristics: Tbc;
    other_characteristics: Tbc;
  };
  data_sources: {
    sources: {
      name: string;
      license: string;
      spdx_expression: string;
      records: number;
      share: number;
      content_bytes: number;
      sha256: string;
      category: Tbc;
    }[];
    category_options: readonly string[];
    categories: Record<string, Tbc>;
  };
  data_processing: {
    reservation_of_rights: Tbc;
    removal_of_illegal_content: Tbc;
    recorded_by_origin: {
      deduplication: {
        records: number;
        distinct_samples: number;
        duplicates: number;
        duplicate_share: number;
      };
      licenses: { license: string; name: string; records: number; sources: readonly string[] }[];
      resulting_license: string;
      intended_use: string;
      use_category: string;
      conflicts: {
        rule: string;
        licenses: readonly string[];
        sources: readonly string[];
        records: number;
        message: string;
      }[];
      warnings: {
        rule: string;
        licenses: readonly string[];
        sources: readonly string[];
        records: number;
        message: string;
      }[];
      session_root: string;
      origins_root: string;
      session_head: string;
      verify: string;
    };
    other_information: Tbc;
  };
  /** JSON paths of every field the provider must complete. */
  to_complete: string[];
}

export function euSummary(ctx: ExportContext): EuSummary {
  const p = ctx.provenance;
  const s = p.session;
  const lic = p.licenses;
  const tokens = Math.round(s.bytes / BYTES_PER_TOKEN);
  const finding = (f: (typeof lic.conflicts)[number]) => ({
    rule: f.rule,
    licenses: f.licenses,
    sources: f.sources,
    records: f.records,
    message: f.message,
  });
  const summary: EuSummary = {
    template: TEMPLATE_TITLE,
    legal_basis: TEMPLATE_BASIS,
    status: 'draft',
    generator: `${p.generator.name} ${p.generator.version}`,
    generated_at: p.generated_at,
    scope: {
      session_id: s.session_id,
      session_root: p.integrity.session_root,
      note:
        'Covers the training content recorded in this Origin session only. Content used in other ' +
        'sessions or training stages that Origin did not record must be added by the provider.',
    },
    general_information: {
      provider: { name: null, contact_details: null, authorised_representative: null },
      model: { versioned_names: null, model_dependencies: null, date_placed_on_union_market: null },
      modalities: {
        text: {
          present: true,
          size_band: textSizeBand(tokens),
          estimated_tokens: tokens,
          token_estimate: `content bytes / ${BYTES_PER_TOKEN} (an estimate, not a tokenizer count)`,
          records: s.records,
          distinct_samples: s.distinct_samples,
          content_bytes: s.bytes,
          types_of_content: null,
        },
        image: { present: false },
        audio: { present: false },
        video: { present: false },
        other: { present: false },
      },
      latest_recorded_at: builtAt(ctx),
      latest_date_of_data_acquisition: null,
      linguistic_characteristics: null,
      other_characteristics: null,
    },
    data_sources: {
      sources: p.sources.map((x) => ({
        name: x.source,
        license: x.license,
        spdx_expression: licenseOf(ctx, x.license).expression,
        records: x.records,
        share: x.share,
        content_bytes: x.bytes,
        sha256: x.sha256,
        category: null,
      })),
      category_options: SOURCE_CATEGORIES,
      categories: Object.fromEntries(CATEGORY_SECTIONS.map(([, key]) => [key, null])),
    },
    data_processing: {
      reservation_of_rights: null,
      removal_of_illegal_content: null,
      recorded_by_origin: {
        deduplication: {
          records: s.records,
          distinct_samples: s.distinct_samples,
          duplicates: s.duplicates,
          duplicate_share: s.records ? s.duplicates / s.records : 0,
        },
        licenses: lic.by_license.map((l) => ({
          license: l.license,
          name: l.name,
          records: l.records,
          sources: l.sources,
        })),
        resulting_license: lic.license,
        intended_use: lic.use,
        use_category: lic.use_category,
        conflicts: lic.conflicts.map(finding),
        warnings: lic.warnings.map(finding),
        session_root: p.integrity.session_root,
        origins_root: p.integrity.origins_root,
        session_head: p.integrity.session_head,
        verify: verifyCommand(ctx),
      },
      other_information: null,
    },
    to_complete: [],
  };
  summary.to_complete = nullPaths(summary);
  return summary;
}

/** The paths of every null in a value: the fields left for the provider. */
function nullPaths(value: unknown, path = ''): string[] {
  if (value === null) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nullPaths(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== undefined)
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      nullPaths(v, path ? `${path}.${k}` : k),
    );
  return [];
}

export function renderEuMarkdown(e: EuSummary): string {
  const g = e.general_information;
  const text = g.modalities.text;
  const o = e.data_processing.recorded_by_origin;
  const out: string[] = [];
  out.push(
    `# Public Summary of Training Content — DRAFT`,
    '',
    `_A draft of the ${TEMPLATE_TITLE}, under ${e.legal_basis}, prepared by ${e.generator} from the ` +
      `records of session \`${e.scope.session_id}\` at ${e.generated_at}. Every field marked ` +
      `${TO_COMPLETE} cannot be known from the records and must be completed by the provider before ` +
      'publication._',
    '',
    `_Scope: ${e.scope.note}_`,
    '',
    '## 1. General information',
    '',
    '### 1.1. Provider identification',
    '',
    `- Provider name and contact details: ${TO_COMPLETE}`,
    `- Authorised representative name and contact details: ${TO_COMPLETE}`,
    '',
    '### 1.2. Model identification',
    '',
    `- Versioned model name(s): ${TO_COMPLETE}`,
    `- Model dependencies: ${TO_COMPLETE}`,
    `- Date of placement of the model on the Union market: ${TO_COMPLETE}`,
    '',
    '### 1.3. Modalities, overall training data size and other characteristics',
    '',
    ...markdownTable(
      ['Modality', 'Training data size', 'Types of content'],
      [
        [
          '☒ Text',
          `**${text.size_band}** (≈ ${count(text.estimated_tokens)} tokens, estimated)`,
          TO_COMPLETE,
        ],
        ['☐ Image', '—', '—'],
        ['☐ Audio', '—', '—'],
        ['☐ Video', '—', '—'],
        ['☐ Other', '—', '—'],
      ],
    ),
    '',
    `Tokens are **estimated** as content bytes / ${BYTES_PER_TOKEN}, not counted with the model's ` +
      `tokenizer: ${count(text.content_bytes)} content bytes in ${count(text.records)} records ` +
      `(${count(text.distinct_samples)} distinct). Everything recorded is text (text lines or JSON Lines ` +
      'records).',
    '',
    `- Latest date of data acquisition/collection for model training: ${TO_COMPLETE} (Origin last recorded data for this session at ${g.latest_recorded_at})`,
    `- Description of the linguistic characteristics of the overall training data: ${TO_COMPLETE}`,
    `- Other relevant characteristics of the overall training data: ${TO_COMPLETE}`,
    '',
    '## 2. List of data sources',
    '',
    'The sources Origin recorded, with their licenses as recorded. The template sorts sources into ' +
      `categories (${SOURCE_CATEGORIES.join('; ')}); the records cannot tell which, so each is ` +
      'left for the provider.',
    '',
    ...markdownTable(
      ['Source', 'License', 'Records', 'Share', 'Content bytes', 'Category'],
      e.data_sources.sources.map((x) => [
        x.name,
        `\`${x.license}\``,
        count(x.records),
        percent(x.share),
        count(x.content_bytes),
        TO_COMPLETE,
      ]),
    ),
    '',
  );
  for (const [num, , title] of CATEGORY_SECTIONS) {
    if (num === '2.2.1') out.push(`### 2.2. ${PRIVATE_DATASETS_SECTION}`, '');
    out.push(`${num.startsWith('2.2.') ? '####' : '###'} ${num}. ${title}`, '', TO_COMPLETE, '');
  }
  out.push(
    '## 3. Data processing aspects',
    '',
    '### 3.1. Respect of reservation of rights from text and data mining exception or limitation',
    '',
    `${TO_COMPLETE} (measures taken to identify and respect machine-readable opt-outs before and during collection)`,
    '',
    '### 3.2. Removal of illegal content',
    '',
    `${TO_COMPLETE} (measures taken to avoid or remove illegal content from the training data)`,
    '',
    '### 3.3. Other information (optional)',
    '',
    `${TO_COMPLETE}`,
    '',
    'What Origin recorded about the processing of this content:',
    '',
    ...markdownTable(
      ['Field', 'Value'],
      [
        ['Records', count(o.deduplication.records)],
        ['Distinct samples (by SHA-256 of content)', count(o.deduplication.distinct_samples)],
        [
          'Duplicates',
          `${count(o.deduplication.duplicates)} (${percent(o.deduplication.duplicate_share)})`,
        ],
        ['Resulting license (SPDX)', `\`${o.resulting_license}\``],
        ['Use category', `${o.use_category} (checked for ${o.intended_use} use)`],
        ['License conflicts', count(o.conflicts.length)],
        ['License warnings', count(o.warnings.length)],
        ['Session root (RFC 6962, SHA-256)', `\`${o.session_root}\``],
        ['Origins root (sources and licenses, SPEC §2.1)', `\`${o.origins_root}\``],
        ['Session head (SPEC §2.2)', `\`${o.session_head}\``],
      ],
    ),
    '',
    ...markdownTable(
      ['License', 'Name', 'Records', 'Sources'],
      o.licenses.map((l) => [`\`${l.license}\``, l.name, count(l.records), l.sources.join(', ')]),
    ),
    '',
  );
  for (const f of [...o.conflicts, ...o.warnings])
    out.push(
      `- \`${f.rule}\` — ${f.licenses.join(' + ')}: ${f.message} (sources: ${f.sources.join(', ')})`,
    );
  if (o.conflicts.length + o.warnings.length) out.push('');
  out.push(
    'The session root pins exactly which samples this summary describes. Check it against the Origin database:',
    '',
    '```sh',
    o.verify,
    '```',
    '',
    '_Origin flags license combinations for human review; this draft is not legal advice._',
    '',
  );
  return out.join('\n');
}

export function renderEuAiAct(ctx: ExportContext): string {
  const summary = euSummary(ctx);
  if (ctx.json) return `${JSON.stringify(summary, null, 2)}\n`;
  return renderEuMarkdown(summary);
}
