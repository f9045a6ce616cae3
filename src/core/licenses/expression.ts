import parseSpdx from 'spdx-expression-parse';
import { UsageError } from '../errors';
import {
  SPECIAL_IDS,
  correctSpdx,
  isDeprecatedSpdxId,
  isLicenseRef,
  isSpdxLicenseId,
  placeholderId,
  spdxIdIgnoringCase,
} from './spdx-ids';
import { Taxonomy } from './types';

/** One license of an expression: `GPL-2.0-or-later WITH Classpath-exception-2.0`. */
export interface LicenseNode {
  type: 'license';
  id: string;
  exception?: string;
  /** `X+` where the taxonomy has no `X-or-later` to stand for it. */
  plus?: true;
}

export interface CompoundNode {
  type: 'and' | 'or';
  args: readonly LicenseExpression[];
}

export type LicenseExpression = LicenseNode | CompoundNode;

/** A license as it applies in one alternative of an expression. */
export interface LicenseTerm {
  id: string;
  exception?: string;
  plus?: true;
}

export type MappingReason = 'alias' | 'case' | 'deprecated' | 'or-later' | 'corrected';

/** How a written id became the id used (Hugging Face id, deprecated id, case, correction). */
export interface IdMapping {
  from: string;
  to: string;
  reason: MappingReason;
}

export interface ParsedExpression {
  /** As written. */
  input: string;
  /** Normalised SPDX expression: canonical ids, upper-case operators, minimal parentheses. */
  expression: string;
  tree: LicenseExpression;
  /** The distinct license ids, in order of appearance. */
  licenses: readonly string[];
  mappings: readonly IdMapping[];
}

export interface ParseOptions {
  /** Apply a near-miss correction (`Apache 2` → `Apache-2.0`) instead of failing. Default false. */
  correct?: boolean;
}

/** How many alternatives (ways to satisfy the ORs) an expression may have. */
export const MAX_ALTERNATIVES = 64;

/**
 * Parses an SPDX license expression (AND, OR, WITH, `+`, parentheses, LicenseRef-), accepting the
 * taxonomy's ids and aliases (Hugging Face ids such as `cc-by-4.0`, `llama2`, `unknown`, `other`)
 * in any case. Unknown ids and bad syntax raise a UsageError, with a suggestion for near misses.
 */
export function parseExpression(
  input: string,
  taxonomy: Taxonomy,
  options: ParseOptions = {},
): ParsedExpression {
  const text = input.trim();
  if (text === '') {
    throw new UsageError('empty license expression', expressionHint());
  }
  try {
    return parseStrict(input, text, taxonomy);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const suggestion = suggestExpression(text, taxonomy);
    if (suggestion === undefined || suggestion === text) throw err;
    if (!options.correct) throw new UsageError(err.message, `Did you mean "${suggestion}"?`);
    const parsed = parseStrict(input, suggestion, taxonomy);
    return {
      ...parsed,
      mappings: [{ from: text, to: parsed.expression, reason: 'corrected' }, ...parsed.mappings],
    };
  }
}

/**
 * A corrected expression for a near miss, or undefined: the whole text through spdx-correct and
 * the taxonomy's names (`Apache 2` → `Apache-2.0`, `MIT License` → `MIT`), else word by word.
 */
export function suggestExpression(input: string, taxonomy: Taxonomy): string | undefined {
  const text = input.trim();
  const tokens = tokenize(text);
  if (tokens.every((token) => token.kind === 'word')) {
    const whole = suggestId(text, taxonomy);
    if (whole !== undefined) return whole;
  }
  let changed = false;
  const words = tokens.map((token, i) => {
    if (token.kind !== 'word' || (i > 0 && isOp(tokens[i - 1], 'WITH'))) return token.text;
    if (resolveWord(token.text, taxonomy)) return token.text;
    const suggestion = suggestId(token.text, taxonomy);
    if (suggestion === undefined) return token.text;
    changed = true;
    return suggestion;
  });
  if (!changed) return undefined;
  const candidate = words.join(' ').replace(/\( /g, '(').replace(/ \)/g, ')');
  try {
    return parseStrict(candidate, candidate, taxonomy).expression;
  } catch {
    return undefined;
  }
}

/** The normalised text of an expression tree. */
export function formatExpression(node: LicenseExpression): string {
  return format(node, undefined);
}

/**
 * The ways to satisfy an expression: one list of licenses per alternative (disjunctive normal
 * form). `(MIT AND BSD-3-Clause) OR GPL-3.0-only` → [[MIT, BSD-3-Clause], [GPL-3.0-only]].
 */
export function expressionAlternatives(
  node: LicenseExpression,
  limit = MAX_ALTERNATIVES,
): LicenseTerm[][] {
  return expand(node, limit);
}

/** The text of one term: `id[+][ WITH exception]`. */
export function formatTerm(term: LicenseTerm): string {
  return `${term.id}${term.plus ? '+' : ''}${term.exception ? ` WITH ${term.exception}` : ''}`;
}

// ───────────────────────────── internals ─────────────────────────────

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'op'; text: 'AND' | 'OR' | 'WITH' }
  | { kind: 'paren'; text: '(' | ')' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(\(|\)|[^\s()]+)/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    const part = match[1];
    if (part === '(' || part === ')') {
      tokens.push({ kind: 'paren', text: part });
    } else {
      const upper = part.toUpperCase();
      if (upper === 'AND' || upper === 'OR' || upper === 'WITH')
        tokens.push({ kind: 'op', text: upper });
      else tokens.push({ kind: 'word', text: part });
    }
  }
  return tokens;
}

function isOp(token: Token | undefined, op: 'AND' | 'OR' | 'WITH'): boolean {
  return token !== undefined && token.kind === 'op' && token.text === op;
}

interface Resolved {
  id: string;
  plus?: true;
  mapping?: IdMapping;
}

/** A written id → the id used, or undefined when it is neither in the taxonomy nor on the SPDX list. */
function resolveWord(word: string, taxonomy: Taxonomy): Resolved | undefined {
  const direct = resolveId(word, taxonomy);
  if (direct) return direct;
  if (word.endsWith('+') && word.length > 1) {
    const base = resolveId(word.slice(0, -1), taxonomy);
    if (!base) return undefined;
    const later = orLaterId(base.id, taxonomy);
    if (later !== undefined)
      return { id: later, mapping: { from: word, to: later, reason: 'or-later' } };
    return { ...base, plus: true };
  }
  return undefined;
}

function resolveId(word: string, taxonomy: Taxonomy): Resolved | undefined {
  if (taxonomy.licenses.has(word)) return { id: word };
  const known = taxonomy.lookup.get(word.toLowerCase());
  if (known !== undefined) {
    const reason: MappingReason = known.toLowerCase() === word.toLowerCase() ? 'case' : 'alias';
    return { id: known, mapping: { from: word, to: known, reason } };
  }
  if (isSpdxLicenseId(word) || SPECIAL_IDS.has(word)) return { id: word };
  const spdx =
    spdxIdIgnoringCase(word) ??
    (SPECIAL_IDS.has(word.toUpperCase()) ? word.toUpperCase() : undefined);
  if (spdx !== undefined) {
    if (isDeprecatedSpdxId(spdx)) {
      // SPDX deprecated "GPL-2.0" meaning "GPL-2.0-only"; keep it when there is no -only form.
      const only = `${spdx}-only`;
      if (isSpdxLicenseId(only))
        return { id: only, mapping: { from: word, to: only, reason: 'deprecated' } };
    }
    return spdx === word
      ? { id: spdx }
      : { id: spdx, mapping: { from: word, to: spdx, reason: 'case' } };
  }
  if (/^licenseref-/i.test(word) || /^documentref-/i.test(word)) {
    const normal = word
      .replace(/^documentref-/i, 'DocumentRef-')
      .replace(/licenseref-/i, 'LicenseRef-');
    if (isLicenseRef(normal)) {
      return normal === word
        ? { id: normal }
        : { id: normal, mapping: { from: word, to: normal, reason: 'case' } };
    }
  }
  return undefined;
}

/** `GPL-2.0-only` / `GPL-2.0` → `GPL-2.0-or-later` when the taxonomy or SPDX list has it. */
function orLaterId(id: string, taxonomy: Taxonomy): string | undefined {
  const stem = id.replace(/-(only|or-later)$/, '');
  const candidate = `${stem}-or-later`;
  if (taxonomy.licenses.has(candidate) || isSpdxLicenseId(candidate)) return candidate;
  return undefined;
}

function suggestId(text: string, taxonomy: Taxonomy): string | undefined {
  const lower = text.toLowerCase();
  for (const license of taxonomy.licenses.values()) {
    if (license.name.toLowerCase() === lower) return license.id;
  }
  const dashed = taxonomy.lookup.get(lower.replace(/\s+/g, '-'));
  if (dashed !== undefined) return dashed;
  const corrected = correctSpdx(text);
  if (corrected === undefined) return undefined;
  return resolveWord(corrected, taxonomy)?.id ?? corrected;
}

function parseStrict(input: string, text: string, taxonomy: Taxonomy): ParsedExpression {
  // Whole-text ids and aliases first: Hugging Face ids such as "openrail++" and names with spaces.
  const whole = taxonomy.lookup.get(text.toLowerCase());
  if (whole !== undefined) {
    const mappings: IdMapping[] =
      whole === text
        ? []
        : [
            {
              from: text,
              to: whole,
              reason: whole.toLowerCase() === text.toLowerCase() ? 'case' : 'alias',
            },
          ];
    const tree: LicenseNode = { type: 'license', id: whole };
    return { input, expression: whole, tree, licenses: [whole], mappings };
  }

  const tokens = tokenize(text);
  checkShape(tokens, input);
  const mappings: IdMapping[] = [];
  const placeholders: LicenseNode[] = [];
  const standIns = new Map<string, number>();
  const exceptions: string[] = [];
  const pieces: string[] = [];
  tokens.forEach((token, i) => {
    if (token.kind !== 'word') {
      pieces.push(token.text);
      return;
    }
    if (isOp(tokens[i - 1], 'WITH')) {
      const exception = resolveException(token.text, taxonomy);
      exceptions.push(exception);
      pieces.push(exception);
      return;
    }
    const resolved = resolveWord(token.text, taxonomy);
    if (!resolved) throw unknownId(token.text, input, text);
    if (resolved.mapping) mappings.push(resolved.mapping);
    const stand = placeholderId(placeholders.length);
    if (stand === undefined) throw new UsageError(`license expression "${input}" is too long`);
    standIns.set(stand, placeholders.length);
    pieces.push(stand);
    placeholders.push({
      type: 'license',
      id: resolved.id,
      ...(resolved.plus ? { plus: true } : {}),
    });
  });

  let parsed: parseSpdx.Info;
  try {
    parsed = parseSpdx(pieces.join(' '));
  } catch (err) {
    const reason = exceptions.length
      ? `unknown license exception (known: the SPDX exception list): ${exceptions.join(', ')}`
      : (err as Error).message.replace(/ at offset \d+/, '');
    throw new UsageError(`invalid license expression "${input}": ${reason}`, expressionHint());
  }
  const tree = simplify(fromSpdx(parsed, (stand) => placeholders[standIns.get(stand) as number]));
  const ids: string[] = [];
  collectIds(tree, ids);
  return { input, expression: formatExpression(tree), tree, licenses: [...new Set(ids)], mappings };
}

function resolveException(word: string, taxonomy: Taxonomy): string {
  if (taxonomy.exceptions.has(word)) return word;
  for (const id of taxonomy.exceptions.keys())
    if (id.toLowerCase() === word.toLowerCase()) return id;
  return word;
}

/** Syntax errors in words a user understands, before the parser reports offsets of its own input. */
function checkShape(tokens: Token[], input: string): void {
  const fail = (reason: string): never => {
    throw new UsageError(`invalid license expression "${input}": ${reason}`, expressionHint());
  };
  if (tokens.length > 1 && tokens.every((token) => token.kind === 'word')) {
    // "Apache 2", "MIT License": a name, not an expression.
    throw unknownId(input.trim(), input, input.trim());
  }
  let depth = 0;
  let expectOperand = true;
  tokens.forEach((token, i) => {
    if (token.kind === 'paren' && token.text === '(') {
      if (!expectOperand) fail('missing AND or OR before "("');
      depth++;
    } else if (token.kind === 'paren') {
      if (expectOperand) fail('missing license before ")"');
      if (--depth < 0) fail('unbalanced ")"');
    } else if (token.kind === 'op') {
      if (expectOperand) fail(`missing license before ${token.text}`);
      if (token.text === 'WITH' && tokens[i + 1]?.kind !== 'word') {
        fail('WITH must be followed by an exception id');
      }
      expectOperand = true;
    } else {
      if (!expectOperand) fail(`missing AND or OR before "${token.text}"`);
      expectOperand = false;
    }
  });
  if (expectOperand)
    fail(tokens.length ? 'the expression ends with an operator' : 'empty expression');
  if (depth !== 0) fail('unbalanced "("');
}

function unknownId(word: string, input: string, text: string): UsageError {
  const subject =
    word === text
      ? `unknown license "${input.trim()}"`
      : `unknown license "${word}" in "${input.trim()}"`;
  return new UsageError(
    subject,
    'Use an SPDX license id (https://spdx.org/licenses/), a Hugging Face license id, or LicenseRef-<name> for a custom license.',
  );
}

function expressionHint(): string {
  return 'License expressions look like "MIT", "MIT OR Apache-2.0", "GPL-2.0-or-later WITH Classpath-exception-2.0".';
}

function fromSpdx(
  info: parseSpdx.Info,
  license: (standIn: string) => LicenseNode,
): LicenseExpression {
  if ('conjunction' in info) {
    return {
      type: info.conjunction,
      args: [fromSpdx(info.left, license), fromSpdx(info.right, license)],
    };
  }
  const node = license(info.license);
  return info.exception ? { ...node, exception: info.exception } : node;
}

/** Flattens nested ANDs / ORs and drops repeated operands. */
function simplify(node: LicenseExpression): LicenseExpression {
  if (node.type === 'license') return node;
  const args: LicenseExpression[] = [];
  const seen = new Set<string>();
  for (const arg of node.args.map(simplify)) {
    const parts = arg.type === node.type ? arg.args : [arg];
    for (const part of parts) {
      const key = formatExpression(part);
      if (!seen.has(key)) {
        seen.add(key);
        args.push(part);
      }
    }
  }
  return args.length === 1 ? args[0] : { type: node.type, args };
}

function format(node: LicenseExpression, parent: CompoundNode['type'] | undefined): string {
  if (node.type === 'license') return formatTerm(node);
  const text = node.args
    .map((arg) => format(arg, node.type))
    .join(node.type === 'and' ? ' AND ' : ' OR ');
  return parent !== undefined && parent !== node.type ? `(${text})` : text;
}

function collectIds(node: LicenseExpression, out: string[]): void {
  if (node.type === 'license') out.push(node.id);
  else for (const arg of node.args) collectIds(arg, out);
}

function expand(node: LicenseExpression, limit: number): LicenseTerm[][] {
  if (node.type === 'license') {
    const term: LicenseTerm = { id: node.id };
    if (node.exception) term.exception = node.exception;
    if (node.plus) term.plus = true;
    return [[term]];
  }
  const parts = node.args.map((arg) => expand(arg, limit));
  let out: LicenseTerm[][];
  if (node.type === 'or') {
    out = parts.flat();
  } else {
    out = [[]];
    for (const part of parts) {
      const next: LicenseTerm[][] = [];
      for (const prefix of out) {
        for (const alt of part) {
          next.push(dedupeTerms([...prefix, ...alt]));
          if (next.length > limit) break;
        }
      }
      out = next;
    }
  }
  if (out.length > limit) {
    throw new UsageError(
      `license expression "${formatExpression(node)}" has more than ${limit} alternatives`,
      'Simplify the expression.',
    );
  }
  return out;
}

function dedupeTerms(terms: LicenseTerm[]): LicenseTerm[] {
  const seen = new Set<string>();
  return terms.filter((term) => {
    const key = formatTerm(term);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
