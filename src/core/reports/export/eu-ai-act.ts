/**
 * `eu-ai-act`: a draft of the AI Office's "Template for the Public Summary of Training Content for
 * general-purpose AI models" (Article 53(1)(d) of Regulation (EU) 2024/1689), filled in with what
 * the store knows about one session. Its sections, numbers and headings follow the template
 * (Annex to the Commission's Explanatory Notice, July 2025):
 *
 *   1. General information: 1.1 provider identification, 1.2 model identification, 1.3
 *      modalities, overall training data size (the template's size band, estimated from the
 *      store) and other characteristics
 *   (after a header with the summary's version and date of last update, for the provider)
 *   2. List of data sources: every recorded source with its license, records, content bytes and
 *      shares; then each of the template's categories (2.1 publicly available datasets; 2.2 private
 *      non-publicly available datasets obtained from third parties, split into 2.2.1 commercially
 *      licensed and 2.2.2 other; 2.3 crawled and scraped data; 2.4 user data; 2.5 synthetic data;
 *      2.6 other sources) with the template's Yes/No questions and fields, for the provider, and
 *      beside them what the store knows: the sources above the template's 3% "large" threshold
 *      (of this session's content bytes) and the domains of URL source names, by content bytes
 *   1.3 states text as present (Origin records text); image, audio, video and other are fields to
 *   complete, never shown as absent, since Origin cannot know what else the model saw.
 *   3. Data processing aspects: 3.1 reservation of rights (TDM opt-outs) and 3.2 removal of illegal
 *      content are for the provider; under 3.3 Origin states deduplication, licenses, conflicts and
 *      the session root
 *
 * Everything the store cannot know is a marked field: "⟨to be completed by the provider⟩" in
 * Markdown; null in JSON, with its path listed in `to_complete`.
 */
import { ExportContext, builtAt, licenseOf, verifyCommand } from './context';
import { conjunction } from './licenses';
import { code, count, markdownTable, percent, text } from '../markdown';

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

/** A Yes/No question of the template: null until the provider answers it. */
type YesNo = boolean | null;

/** The template's questions and fields of sections 2.1 to 2.6, keyed as in CATEGORY_SECTIONS. */
export interface SourceSections {
  publicly_available_datasets: {
    used: YesNo;
    modalities: Tbc;
    large_datasets: Tbc;
    other_datasets_description: Tbc;
    /** From the store: the sources above 3% of this session's content bytes (the template's "large"). */
    recorded_sources_above_3_percent: string[];
  };
  commercially_licensed_datasets: {
    licensing_agreements_concluded: YesNo;
    modalities: Tbc;
    licensed_content_description: Tbc;
  };
  private_datasets_from_other_third_parties: {
    used: YesNo;
    modalities: Tbc;
    datasets_publicly_known: Tbc;
    other_datasets_description: Tbc;
  };
  data_crawled_and_scraped: {
    crawlers_used: YesNo;
    crawler_names: Tbc;
    crawler_purposes: Tbc;
    crawler_behaviour: Tbc;
    collection_period: { from: Tbc; to: Tbc };
    content_description: Tbc;
    modalities: Tbc;
    top_domains: Tbc;
    /** From the store: the domains of URL source names, by content bytes, largest first. */
    recorded_url_domains: { domain: string; content_bytes: number; byte_share: number }[];
  };
  user_data: {
    from_model_interactions: YesNo;
    from_other_services: YesNo;
    services: Tbc;
    modalities: Tbc;
  };
  synthetic_data: {
    used: YesNo;
    modalities: Tbc;
    generating_models_on_market: Tbc;
    other_generating_models: Tbc;
  };
  other_sources: { used: YesNo; description: Tbc };
}

export interface EuSummary {
  template: string;
  legal_basis: string;
  status: 'draft';
  /** The header of the template: the summary's version and the date of its last update. */
  header: { summary_version: Tbc; last_update: Tbc };
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
      /** Origin records text only; whether other content was trained on, it cannot know. */
      image: { present: YesNo; size_band: Tbc; types_of_content: Tbc };
      audio: { present: YesNo; size_band: Tbc; types_of_content: Tbc };
      video: { present: YesNo; size_band: Tbc; types_of_content: Tbc };
      other: { present: YesNo; size_band: Tbc; types_of_content: Tbc };
    };
    latest_recorded_at: string;
    latest_date_of_data_acquisition: Tbc;
    data_collection_ongoing: YesNo;
    linguistic_characteristics: Tbc;
    other_characteristics: Tbc;
  };
  data_sources: {
    sources: {
      name: string;
      license: string;
      spdx_expression: string;
      records: number;
      record_share: number;
      content_bytes: number;
      byte_share: number;
      sha256: string;
      category: Tbc;
    }[];
    category_options: readonly string[];
    sections: SourceSections;
  };
  data_processing: {
    code_of_practice_signatory: YesNo;
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
    header: { summary_version: null, last_update: null },
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
        image: unknownModality(),
        audio: unknownModality(),
        video: unknownModality(),
        other: unknownModality(),
      },
      latest_recorded_at: builtAt(ctx),
      latest_date_of_data_acquisition: null,
      data_collection_ongoing: null,
      linguistic_characteristics: null,
      other_characteristics: null,
    },
    data_sources: {
      sources: p.sources.map((x) => ({
        name: x.source,
        license: x.license,
        spdx_expression: licenseOf(ctx, x.license).expression,
        records: x.records,
        record_share: x.record_share,
        content_bytes: x.bytes,
        byte_share: x.byte_share,
        sha256: x.sha256,
        category: null,
      })),
      category_options: SOURCE_CATEGORIES,
      sections: sourceSections(ctx),
    },
    data_processing: {
      code_of_practice_signatory: null,
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
        // An SPDX expression (the conjunction of every source's), never the engine's summary word.
        resulting_license: conjunction(p.sources.map((x) => licenseOf(ctx, x.license))),
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

const unknownModality = () => ({ present: null, size_band: null, types_of_content: null });

/** The template's "large" dataset: more than 3% of the content of its modality. */
export const LARGE_SHARE = 0.03;

/** The host of a source name that is a URL, else null. */
function urlDomain(source: string): string | null {
  try {
    const url = new URL(source);
    return url.hostname === '' ? null : url.hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** Sections 2.1 to 2.6: the provider's answers left open, with what the store can offer beside. */
function sourceSections(ctx: ExportContext): SourceSections {
  const p = ctx.provenance;
  const total = p.session.bytes;
  const bySource = new Map<string, number>();
  for (const x of p.sources) bySource.set(x.source, (bySource.get(x.source) ?? 0) + x.bytes);
  const domains = new Map<string, number>();
  for (const [source, bytes] of bySource) {
    const domain = urlDomain(source);
    if (domain) domains.set(domain, (domains.get(domain) ?? 0) + bytes);
  }
  return {
    publicly_available_datasets: {
      used: null,
      modalities: null,
      large_datasets: null,
      other_datasets_description: null,
      recorded_sources_above_3_percent: [...bySource]
        .filter(([, bytes]) => total > 0 && bytes / total > LARGE_SHARE)
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([source]) => source),
    },
    commercially_licensed_datasets: {
      licensing_agreements_concluded: null,
      modalities: null,
      licensed_content_description: null,
    },
    private_datasets_from_other_third_parties: {
      used: null,
      modalities: null,
      datasets_publicly_known: null,
      other_datasets_description: null,
    },
    data_crawled_and_scraped: {
      crawlers_used: null,
      crawler_names: null,
      crawler_purposes: null,
      crawler_behaviour: null,
      collection_period: { from: null, to: null },
      content_description: null,
      modalities: null,
      top_domains: null,
      recorded_url_domains: [...domains]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([domain, bytes]) => ({
          domain,
          content_bytes: bytes,
          byte_share: total > 0 ? bytes / total : 0,
        })),
    },
    user_data: {
      from_model_interactions: null,
      from_other_services: null,
      services: null,
      modalities: null,
    },
    synthetic_data: {
      used: null,
      modalities: null,
      generating_models_on_market: null,
      other_generating_models: null,
    },
    other_sources: { used: null, description: null },
  };
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

const question = (q: string): string => `- ${q} ☐ Yes ☐ No: ${TO_COMPLETE}`;
const field = (f: string): string => `- ${f}: ${TO_COMPLETE}`;

/** What the store knows of the domains crawled: the hosts of URL source names, by size. */
function recordedDomains(
  domains: SourceSections['data_crawled_and_scraped']['recorded_url_domains'],
): string[] {
  if (domains.length === 0)
    return ['- Domains of the recorded sources (from the store): no source name is a URL.'];
  return [
    '- Domains of the recorded sources whose names are URLs, by content bytes (from the store; ' +
      'whether they were crawled is for the provider to say):',
    '',
    ...markdownTable(
      ['Domain', 'Content bytes', 'Share of content bytes'],
      domains.map((d) => [text(d.domain), count(d.content_bytes), percent(d.byte_share)]),
    ),
  ];
}

export function renderEuMarkdown(e: EuSummary): string {
  const g = e.general_information;
  const textModality = g.modalities.text;
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
    `- Version of the summary: ${TO_COMPLETE}`,
    `- Date of last update: ${TO_COMPLETE}`,
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
      ['Modality', 'In the training data', 'Training data size', 'Types of content'],
      [
        [
          'Text',
          '☒ Yes (recorded by Origin)',
          `**${textModality.size_band}** (≈ ${count(textModality.estimated_tokens)} tokens, estimated)`,
          TO_COMPLETE,
        ],
        // Origin records text; whether the model saw images, audio or video it cannot know.
        ...['Image', 'Audio', 'Video', 'Other'].map((m) => [
          m,
          TO_COMPLETE,
          TO_COMPLETE,
          TO_COMPLETE,
        ]),
      ],
    ),
    '',
    `Tokens are **estimated** as content bytes / ${BYTES_PER_TOKEN}, not counted with the model's ` +
      `tokenizer: ${count(textModality.content_bytes)} content bytes in ${count(textModality.records)} records ` +
      `(${count(textModality.distinct_samples)} distinct). Everything recorded is text (text lines or JSON Lines ` +
      'records).',
    '',
    `- Latest date of data acquisition/collection for model training (MM/YYYY): ${TO_COMPLETE} (Origin last recorded data for this session at ${g.latest_recorded_at})`,
    `- Is data collection ongoing to train the model further? ☐ Yes ☐ No: ${TO_COMPLETE}`,
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
      [
        'Source',
        'License',
        'Records',
        'Share of records',
        'Content bytes',
        'Share of content bytes',
        'Category',
      ],
      e.data_sources.sources.map((x) => [
        text(x.name),
        code(x.license),
        count(x.records),
        percent(x.record_share),
        count(x.content_bytes),
        percent(x.byte_share),
        TO_COMPLETE,
      ]),
    ),
    '',
  );
  const sections = e.data_sources.sections;
  const body: Record<string, string[]> = {
    '2.1': [
      question('Have you used publicly available datasets to train the model?'),
      field('Modality(ies) of the content covered'),
      field(
        'List of large publicly available datasets (more than 3% of all publicly available ' +
          'datasets used for that modality), with links',
      ),
      field('General description of the other publicly available datasets used'),
      `- Recorded sources above 3% of this session's content bytes (from the store; whether they ` +
        `are publicly available is for the provider to say): ${
          sections.publicly_available_datasets.recorded_sources_above_3_percent
            .map(text)
            .join(', ') || 'none'
        }`,
    ],
    '2.2.1': [
      question(
        'Have you concluded transactional commercial licensing agreement(s) with rightsholder(s) ' +
          'or their representatives?',
      ),
      field('Modality(ies) of the content covered'),
      field('Description of the licensed content'),
    ],
    '2.2.2': [
      question(
        'Have you obtained private datasets from third parties other than those in 2.2.1 ' +
          '(such as providers of private databases or data intermediaries)?',
      ),
      field('Modality(ies) of the content covered'),
      field('List of the private datasets obtained from other third parties, where publicly known'),
      field('General description of the private datasets that are not publicly known'),
    ],
    '2.3': [
      question('Were crawlers used by the provider or on its behalf?'),
      field('Crawler name(s)/identifier(s)'),
      field('Purposes of the crawler(s)'),
      field('General description of crawler behaviour (robots.txt, paywalls, log-ins, captchas)'),
      field('Period of data collection (from MM/YYYY to MM/YYYY)'),
      field('Comprehensive description of the type of content and online sources crawled'),
      field('Modality(ies) of the content covered'),
      field('Summary of the most relevant domain names crawled (the top 10% by size of content)'),
      ...recordedDomains(sections.data_crawled_and_scraped.recorded_url_domains),
    ],
    '2.4': [
      question(
        'Was data from user interactions with the AI model (inputs, prompts) used to train it?',
      ),
      question(
        "Was data collected from user interactions with the provider's other services or products used?",
      ),
      field('If yes, the services or products'),
      field('Modality(ies) of the content covered'),
    ],
    '2.5': [
      question(
        'Was synthetic AI-generated data created by the provider or on its behalf to train the model?',
      ),
      field('Modality(ies) of the content covered'),
      field('The AI models used to generate it, where they are on the market'),
      field('A general description of other AI models used to generate it'),
    ],
    '2.6': [
      question(
        'Have data sources other than those in sections 2.1 to 2.5 been used to train the model?',
      ),
      field('Description of those sources and data'),
    ],
  };
  for (const [num, , title] of CATEGORY_SECTIONS) {
    if (num === '2.2.1') out.push(`### 2.2. ${PRIVATE_DATASETS_SECTION}`, '');
    out.push(`${num.startsWith('2.2.') ? '####' : '###'} ${num}. ${title}`, '', ...body[num], '');
  }
  out.push(
    '## 3. Data processing aspects',
    '',
    '### 3.1. Respect of reservation of rights from text and data mining exception or limitation',
    '',
    question(
      'Are you a signatory to the General-Purpose AI Code of Practice, which includes ' +
        'commitments to respect reservations of rights from the TDM exception or limitation?',
    ),
    field(
      'Description of the measures taken to identify and respect reservations of rights ' +
        '(machine-readable opt-outs) before and during data collection',
    ),
    '',
    '### 3.2. Removal of illegal content',
    '',
    field(
      'General description of the measures taken to avoid or remove illegal content from the training data',
    ),
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
        ['Resulting license (SPDX)', code(o.resulting_license)],
        ['Use category', `${text(o.use_category)} (checked for ${text(o.intended_use)} use)`],
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
      o.licenses.map((l) => [
        code(l.license),
        text(l.name),
        count(l.records),
        l.sources.map(text).join(', '),
      ]),
    ),
    '',
  );
  for (const f of [...o.conflicts, ...o.warnings])
    out.push(
      `- ${code(f.rule)} — ${f.licenses.map(text).join(' + ')}: ${text(f.message)} ` +
        `(sources: ${f.sources.map(text).join(', ')})`,
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
