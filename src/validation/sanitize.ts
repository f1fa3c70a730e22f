/**
 * Sanitizers: what makes a fresh output and a saved one comparable although
 * they can never be byte-equal (execution counts, addresses, dates, temp
 * paths, tracebacks, widget ids...). Each is a named rule, so a report can say
 * which ones made two outputs equal, and a user can turn one off. Pure.
 */
import type { IOutput } from '@jupyterlab/nbformat';

import type { ISanitizerSpec } from './types';

export type { ISanitizerSpec };

/** Names of the rules (contract: they appear in reports and settings). */
export namespace RuleIDs {
  // Rules on the shape of the outputs.
  export const executionCount = 'execution-count';
  export const streamMerge = 'stream-merge';
  export const displayVsResult = 'display-vs-result';
  export const tracebackFrames = 'traceback-frames';
  export const dataframeHtml = 'dataframe-html';
  export const widgetModelId = 'widget-model-id';
  export const svgAttributeOrder = 'svg-attribute-order';
  /** MIME types the user (or nbval's defaults) chose not to compare. */
  export const skippedMime = 'skipped-mime';
  // Rules on text, applied in this order (user sanitizers after the first two).
  export const ansiCodes = 'ansi-codes';
  export const terminalOverwrite = 'terminal-overwrite';
  export const timingOutput = 'timing-output';
  export const progressTiming = 'progress-timing';
  export const tempPath = 'temp-path';
  export const uuid = 'uuid';
  export const datetimeRepr = 'datetime-repr';
  export const isoDateTime = 'iso-date-time';
  export const commonDate = 'common-date';
  export const clockTime = 'clock-time';
  export const memoryAddress = 'memory-address';
  // Tolerances, applied by the comparison.
  export const floatTolerance = 'float-tolerance';
  export const imagePixels = 'image-pixels';
  // Decisions from markers and cell state.
  export const ignoreOutput = 'nbval-ignore-output';
  export const laxMode = 'nbval-lax';
  export const unexecutedCell = 'unexecuted-cell';
  /** Prefix of user-supplied sanitizers: `user:<name or regex>`. */
  export const userPrefix = 'user:';
}

/** The shape rules, in the order a report lists them. */
export const SHAPE_RULES: readonly string[] = [
  RuleIDs.executionCount,
  RuleIDs.streamMerge,
  RuleIDs.displayVsResult,
  RuleIDs.tracebackFrames,
  RuleIDs.dataframeHtml,
  RuleIDs.widgetModelId,
  RuleIDs.svgAttributeOrder,
  RuleIDs.skippedMime
];

/** A rewrite of text that removes what legitimately differs between runs. */
export interface ITextRule {
  name: string;
  description: string;
  /** Only for stream text (terminal control characters). */
  streamsOnly?: boolean;
  apply(text: string): string;
}

const ANSI =
  // eslint-disable-next-line no-control-regex -- ANSI sequences start with ESC
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]/g;

/** Text without ANSI colour and cursor sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * The text as a terminal shows it: a carriage return moves back to the start
 * of the line and a backspace one column left, and what follows overwrites
 * (so a tqdm bar redrawn a hundred times shows its last state).
 */
export function collapseTerminal(text: string): string {
  if (text.indexOf('\r') < 0 && text.indexOf('\b') < 0) {
    return text;
  }
  return text
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map(line => {
      const cells: string[] = [];
      let column = 0;
      for (const char of line) {
        if (char === '\r') {
          column = 0;
        } else if (char === '\b') {
          column = Math.max(0, column - 1);
        } else {
          cells[column++] = char;
        }
      }
      return cells.join('');
    })
    .join('\n');
}

const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const WEEKDAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
/** Characters that end a path inside a repr, a message or a list. */
const PATH_TAIL = '[^\\s\'"`)\\]}>,;:]*';
const WIN_SEP = '(?:\\\\{1,2}|/)';

function regexRule(
  name: string,
  description: string,
  rewrites: [RegExp, string | ((match: string) => string)][]
): ITextRule {
  return {
    name,
    description,
    apply: text =>
      rewrites.reduce(
        (current, [pattern, replacement]) =>
          current.replace(pattern, replacement as string),
        text
      )
  };
}

const ANSI_RULE: ITextRule = {
  name: RuleIDs.ansiCodes,
  description: 'ANSI colour and cursor codes removed',
  apply: stripAnsi
};

const TERMINAL_RULE: ITextRule = {
  name: RuleIDs.terminalOverwrite,
  description:
    'carriage returns and backspaces in streams applied as a terminal shows them',
  streamsOnly: true,
  apply: collapseTerminal
};

/** The default text rules after the user's sanitizers, in application order. */
export const DEFAULT_TEXT_RULES: readonly ITextRule[] = [
  regexRule(RuleIDs.timingOutput, '%time / %%time / %timeit report lines', [
    [/^CPU times: .*$/gm, 'CPU times: <TIMING>'],
    [/^Wall time: .*$/gm, 'Wall time: <TIMING>'],
    [/^.* per loop \(mean ± std\. dev\. of .*\)$/gm, '<TIMEIT>'],
    [/^\d+ loops?, best of \d+: .* per loop$/gm, '<TIMEIT>'],
    // Printed only when the timings happen to vary a lot.
    [/^The slowest run took .*\n?/gm, '']
  ]),
  regexRule(
    RuleIDs.progressTiming,
    'progress bar elapsed time, remaining time and rate (tqdm)',
    [
      [
        /\[(?:\d+:)?\d{2}:\d{2}(?:<(?:(?:\d+:)?\d{2}:\d{2}|\?))?,\s*(?:\?|\d+(?:\.\d+)?)\s*(?:[a-zA-Z]+\/s|s\/[a-zA-Z]+)[^\]\n]*\]/g,
        '[<PROGRESS-TIMING>]'
      ]
    ]
  ),
  regexRule(
    RuleIDs.tempPath,
    'temporary paths (/tmp, /var/folders, %LOCALAPPDATA%\\Temp)',
    [
      [
        new RegExp(
          `(?<![\\w.\\/-])(?:/private)?/(?:tmp|var/tmp|var/folders)/${PATH_TAIL}`,
          'g'
        ),
        '<TEMP-PATH>'
      ],
      [
        new RegExp(
          `\\b[A-Za-z]:${WIN_SEP}Users${WIN_SEP}[^\\\\/\\s'"]+${WIN_SEP}AppData${WIN_SEP}Local${WIN_SEP}Temp(?:${WIN_SEP}${PATH_TAIL})?`,
          'gi'
        ),
        '<TEMP-PATH>'
      ]
    ]
  ),
  regexRule(RuleIDs.uuid, 'UUIDs', [
    [
      /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g,
      '<UUID>'
    ]
  ]),
  regexRule(
    RuleIDs.datetimeRepr,
    'datetime.datetime(...) / date / time reprs',
    [
      [
        /\bdatetime\.(datetime|date|time)\(\d+(?:,\s*\d+)*(?:,\s*(?:tzinfo|fold)=[\w.]*(?:\([^()]*\))?)*\)/g,
        'datetime.$1(<DATETIME>)'
      ]
    ]
  ),
  regexRule(RuleIDs.isoDateTime, 'ISO 8601 dates and date-times', [
    [
      /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)/g,
      match => (match.length > 10 ? '<DATETIME>' : '<DATE>')
    ]
  ]),
  regexRule(
    RuleIDs.commonDate,
    'dates such as 01/06/2018, 1.6.2018, Jun 1, 2018, 1 June 2018, ctime',
    [
      [
        new RegExp(
          `\\b${WEEKDAY} ${MONTH} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} \\d{4}\\b`,
          'g'
        ),
        '<DATETIME>'
      ],
      [/\b\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b/g, '<DATE>'],
      [/\b\d{4}\/\d{1,2}\/\d{1,2}\b/g, '<DATE>'],
      [
        new RegExp(`\\b${MONTH}\\.? \\d{1,2}(?:st|nd|rd|th)?,? \\d{4}\\b`, 'g'),
        '<DATE>'
      ],
      [
        new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)? ${MONTH}\\.?,? \\d{4}\\b`, 'g'),
        '<DATE>'
      ]
    ]
  ),
  regexRule(RuleIDs.clockTime, 'times of day (12:33, 12:33:08.310)', [
    [
      /\b(?:\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?|\d{2}:\d{2})(?:\s?[AaPp][Mm])?\b/g,
      '<TIME>'
    ]
  ]),
  regexRule(
    RuleIDs.memoryAddress,
    'memory addresses in reprs (0x7fae26a349b0)',
    [[/\b0x[0-9a-fA-F]{8,16}\b/g, '0x<ADDRESS>']]
  )
];

/**
 * The text rules in application order: ANSI codes, terminal overwrites, the
 * user's sanitizers (they see the text as displayed, before any default rule
 * replaced part of it), then the defaults.
 */
export function textRules(user: readonly ITextRule[] = []): ITextRule[] {
  return [ANSI_RULE, TERMINAL_RULE, ...user, ...DEFAULT_TEXT_RULES];
}

/** Apply the text rules in order; `fired` names those that changed something. */
export function sanitizeText(
  text: string,
  rules: readonly ITextRule[],
  stream = false
): { text: string; fired: string[] } {
  const fired: string[] = [];
  for (const rule of rules) {
    if (rule.streamsOnly && !stream) {
      continue;
    }
    const next = rule.apply(text);
    if (next !== text) {
      fired.push(rule.name);
      text = next;
    }
  }
  return { text, fired };
}

/** A user sanitizer that cannot be used, with what is wrong with it. */
export class SanitizerError extends Error {
  constructor(
    readonly spec: ISanitizerSpec,
    readonly problem: string
  ) {
    super(`Sanitizer ${sanitizerLabel(spec)}: ${problem}`);
    this.name = 'SanitizerError';
  }
}

function sanitizerLabel(spec: ISanitizerSpec): string {
  return spec.name ? `"${spec.name}" (/${spec.regex}/)` : `/${spec.regex}/`;
}

/**
 * Compile user sanitizers into text rules.
 *
 * Python spellings are accepted so nbval sanitize files carry over: leading
 * `(?i)`, `(?m)`, `(?s)` flags, `(?P<name>...)` and `(?P=name)`.
 *
 * @throws SanitizerError naming the first sanitizer that is not valid.
 */
export function compileSanitizers(
  specs: readonly ISanitizerSpec[]
): ITextRule[] {
  return specs.map(compileSanitizer);
}

/** Every problem in these sanitizers, one message each (for settings). */
export function checkSanitizers(specs: readonly ISanitizerSpec[]): string[] {
  const problems: string[] = [];
  for (const spec of specs) {
    try {
      compileSanitizer(spec);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

function compileSanitizer(spec: ISanitizerSpec): ITextRule {
  if (typeof spec?.regex !== 'string' || spec.regex === '') {
    throw new SanitizerError(spec, 'the regex is missing or empty');
  }
  if (typeof spec.replace !== 'string') {
    throw new SanitizerError(spec, 'the replacement is not a string');
  }
  let source = spec.regex;
  let flags = 'g';
  const inline = /^\(\?([ims]+)\)/.exec(source);
  if (inline) {
    flags += Array.from(new Set(inline[1])).join('');
    source = source.slice(inline[0].length);
  }
  source = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  let pattern: RegExp;
  try {
    pattern = new RegExp(source, flags);
  } catch (error) {
    throw new SanitizerError(
      spec,
      `invalid regex: ${(error as Error).message}`
    );
  }
  const groupCount = new RegExp(`${source}|`, flags).exec('')!.length - 1;
  const template = parseTemplate(spec, groupCount);
  return {
    name: `${RuleIDs.userPrefix}${spec.name || spec.regex}`,
    description: `user sanitizer ${sanitizerLabel(spec)}`,
    apply: text =>
      text.replace(pattern, (...args: any[]) => {
        const groups: (string | undefined)[] = args.slice(0, groupCount + 1);
        const last = args[args.length - 1];
        const named: { [name: string]: string | undefined } =
          typeof last === 'object' && last ? last : {};
        return template
          .map(part =>
            typeof part === 'string'
              ? part
              : typeof part.group === 'number'
                ? (groups[part.group] ?? '')
                : (named[part.group] ?? '')
          )
          .join('');
      })
  };
}

type TemplatePart = string | { group: number | string };

/** Split a replacement into literal text and group references. */
function parseTemplate(
  spec: ISanitizerSpec,
  groupCount: number
): TemplatePart[] {
  const parts: TemplatePart[] = [];
  const token =
    /\\g<(\w+)>|\\(\d{1,2})|\$(\d{1,2})|\$<(\w+)>|\$&|\$\$|\\\\|\\n|\\t/g;
  let last = 0;
  let match: RegExpExecArray | null;
  const group = (reference: string) => {
    if (/^\d+$/.test(reference)) {
      const index = Number(reference);
      if (index > groupCount) {
        throw new SanitizerError(
          spec,
          `the replacement refers to group ${index}, the regex has ${groupCount}`
        );
      }
      return { group: index };
    }
    return { group: reference };
  };
  while ((match = token.exec(spec.replace))) {
    parts.push(spec.replace.slice(last, match.index));
    last = token.lastIndex;
    const [whole, pyNamed, pyNumber, jsNumber, jsNamed] = match;
    if (pyNamed !== undefined) {
      parts.push(group(pyNamed));
    } else if (pyNumber !== undefined) {
      parts.push(group(pyNumber));
    } else if (jsNumber !== undefined) {
      parts.push(group(jsNumber));
    } else if (jsNamed !== undefined) {
      parts.push(group(jsNamed));
    } else if (whole === '$&') {
      parts.push({ group: 0 });
    } else {
      parts.push(
        { $$: '$', '\\\\': '\\', '\\n': '\n', '\\t': '\t' }[whole] ?? whole
      );
    }
  }
  parts.push(spec.replace.slice(last));
  return parts;
}

/** One output as it is compared: a type and named fields. */
export interface ICanonicalOutput {
  /** `display` (or the output_type when display-vs-result is off), `stream:<name>`, `error`. */
  type: string;
  /** Index of the first raw output this one was made from. */
  rawIndex: number;
  fields: ICanonicalField[];
}

export interface ICanonicalField {
  /** A MIME type, or `error`, `traceback`, `execution_count`. */
  key: string;
  value: string;
  /** Compare as a bitmap image (base64), not as text. */
  image: boolean;
  /** Stream text: the terminal rule applies. */
  stream: boolean;
}

const STREAM_ORDER = ['stdout', 'stderr'];
const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';

/**
 * Outputs as they are compared, after the shape rules that are enabled.
 * `fired` receives the shape rules that changed something.
 */
export function canonicalOutputs(
  outputs: readonly IOutput[],
  enabled: (rule: string) => boolean,
  fired: Set<string>,
  skipMimes: ReadonlySet<string> = new Set()
): ICanonicalOutput[] {
  const result: ICanonicalOutput[] = [];
  let i = 0;
  while (i < outputs.length) {
    if (outputs[i].output_type !== 'stream') {
      result.push(canonicalOutput(outputs[i], i, enabled, fired, skipMimes));
      i++;
      continue;
    }
    const start = i;
    while (i < outputs.length && outputs[i].output_type === 'stream') {
      i++;
    }
    result.push(...canonicalStreams(outputs, start, i, enabled, fired));
  }
  return result;
}

/**
 * Streams from start to end (exclusive). Merged, each name is one output,
 * stdout before stderr: how chunks are flushed and how stdout and stderr
 * interleave depends on timing, not on the code.
 */
function canonicalStreams(
  outputs: readonly IOutput[],
  start: number,
  end: number,
  enabled: (rule: string) => boolean,
  fired: Set<string>
): ICanonicalOutput[] {
  const stream = (name: string, text: string, rawIndex: number) => ({
    type: `stream:${name}`,
    rawIndex,
    fields: [{ key: 'text/plain', value: text, image: false, stream: true }]
  });
  if (!enabled(RuleIDs.streamMerge)) {
    const separate: ICanonicalOutput[] = [];
    for (let i = start; i < end; i++) {
      separate.push(
        stream(String(outputs[i].name), joinText(outputs[i].text), i)
      );
    }
    return separate;
  }
  const byName = new Map<string, { text: string; rawIndex: number }>();
  for (let i = start; i < end; i++) {
    const name = String(outputs[i].name);
    const text = joinText(outputs[i].text);
    const entry = byName.get(name);
    if (entry) {
      entry.text += text;
    } else {
      byName.set(name, { text, rawIndex: i });
    }
  }
  const rank = (name: string) => {
    const known = STREAM_ORDER.indexOf(name);
    return known < 0 ? STREAM_ORDER.length : known;
  };
  const names = Array.from(byName.keys()).sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b)
  );
  const merged = names
    .filter(name => byName.get(name)!.text !== '')
    .map(name =>
      stream(name, byName.get(name)!.text, byName.get(name)!.rawIndex)
    );
  const unchanged =
    merged.length === end - start &&
    merged.every((output, k) => output.rawIndex === start + k);
  if (!unchanged) {
    fired.add(RuleIDs.streamMerge);
  }
  return merged;
}

function canonicalOutput(
  output: IOutput,
  rawIndex: number,
  enabled: (rule: string) => boolean,
  fired: Set<string>,
  skipMimes: ReadonlySet<string>
): ICanonicalOutput {
  const field = (key: string, value: string): ICanonicalField => ({
    key,
    value,
    image: false,
    stream: false
  });
  const type = String(output.output_type);
  if (type === 'error') {
    const fields = [field('error', `${output.ename}: ${output.evalue}`)];
    const traceback = Array.isArray(output.traceback)
      ? output.traceback.join('\n')
      : '';
    if (!enabled(RuleIDs.tracebackFrames)) {
      fields.push(field('traceback', traceback));
    } else if (traceback) {
      fired.add(RuleIDs.tracebackFrames);
    }
    return { type, rawIndex, fields };
  }
  const data = output.data as { [mime: string]: unknown } | undefined;
  if (!data || typeof data !== 'object') {
    const { output_type, ...rest } = output;
    void output_type;
    return { type, rawIndex, fields: [field('json', stableJson(rest))] };
  }
  const fields: ICanonicalField[] = [];
  const isResult = type === 'execute_result';
  if (isResult && !enabled(RuleIDs.executionCount)) {
    fields.push(field('execution_count', String(output.execution_count)));
  } else if (isResult) {
    fired.add(RuleIDs.executionCount);
  }
  const dropHtml =
    typeof data['text/plain'] !== 'undefined' &&
    /<table[^>]*class="[^"]*\bdataframe\b/.test(textOf(data['text/html']));
  for (const mime of Object.keys(data).sort()) {
    const value = data[mime];
    if (skipMimes.has(mime) && enabled(RuleIDs.skippedMime)) {
      fired.add(RuleIDs.skippedMime);
      continue;
    }
    if (mime === 'text/html' && dropHtml) {
      if (enabled(RuleIDs.dataframeHtml)) {
        fired.add(RuleIDs.dataframeHtml);
        continue;
      }
    }
    if (isBitmap(mime)) {
      fields.push({
        key: mime,
        value: textOf(value).replace(/\s+/g, ''),
        image: true,
        stream: false
      });
    } else if (mime.startsWith('image/svg')) {
      const svg = textOf(value);
      const sorted = enabled(RuleIDs.svgAttributeOrder)
        ? sortTagAttributes(svg)
        : svg;
      if (sorted !== svg) {
        fired.add(RuleIDs.svgAttributeOrder);
      }
      fields.push(field(mime, sorted));
    } else if (mime === WIDGET_MIME && isObject(value) && 'model_id' in value) {
      if (enabled(RuleIDs.widgetModelId)) {
        fired.add(RuleIDs.widgetModelId);
        const { model_id, ...rest } = value;
        void model_id;
        fields.push(field(mime, stableJson(rest)));
      } else {
        fields.push(field(mime, stableJson(value)));
      }
    } else {
      fields.push(
        field(mime, isJsonMime(mime) ? stableJson(value) : textOf(value))
      );
    }
  }
  let shownType = type;
  if (
    enabled(RuleIDs.displayVsResult) &&
    (type === 'execute_result' || type === 'display_data')
  ) {
    shownType = 'display';
    if (isResult) {
      fired.add(RuleIDs.displayVsResult);
    }
  }
  return { type: shownType, rawIndex, fields };
}

const TAG = /<([A-Za-z][\w:.-]*)(\s[^<>]*?)?\s*(\/?)>/g;
const ATTRIBUTE = /([\w:.-]+)\s*=\s*("[^"]*"|'[^']*')/g;

/**
 * Markup with each tag's attributes in name order: serializers differ in
 * the order they write attributes, which changes nothing in the picture.
 * A tag whose attributes cannot all be read is left as it is.
 */
export function sortTagAttributes(markup: string): string {
  return markup.replace(TAG, (tag, name: string, body = '', slash: string) => {
    const attributes: [string, string][] = [];
    const rest = body.replace(
      ATTRIBUTE,
      (_: string, key: string, value: string) => {
        attributes.push([key, value]);
        return '';
      }
    );
    if (rest.trim() !== '' || attributes.length < 2) {
      return tag;
    }
    attributes.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const text = attributes.map(([key, value]) => ` ${key}=${value}`).join('');
    return `<${name}${text}${slash}>`;
  });
}

/** Bitmap images are compared by pixels; SVG is text. */
export function isBitmap(mime: string): boolean {
  return mime.startsWith('image/') && !mime.startsWith('image/svg');
}

function joinText(text: unknown): string {
  return Array.isArray(text) ? text.join('') : String(text ?? '');
}

function isJsonMime(mime: string): boolean {
  return /[/+]json$/.test(mime);
}

/** A MIME value as text: lines joined; anything else as sorted JSON. */
function textOf(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value) && value.every(line => typeof line === 'string')) {
    return value.join('');
  }
  return value === undefined ? '' : stableJson(value);
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** JSON with object keys sorted, so key order never makes a difference. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    isObject(item)
      ? Object.keys(item)
          .sort()
          .reduce<{ [key: string]: unknown }>((sorted, key) => {
            sorted[key] = item[key];
            return sorted;
          }, {})
      : item
  );
}
