// XML reading for list importers: validated first, so that a cut-off or
// damaged file is refused with the line where it breaks.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ListImportError } from './model.js';
import type { ListFile } from './files.js';

export function parseXml(file: ListFile, arrays: readonly string[]): Record<string, unknown> {
  const content = file.bytes.toString('utf8');
  const valid = XMLValidator.validate(content);
  if (valid !== true) {
    const { msg, line } = valid.err;
    const cutShort = /closed|unclosed|not closed|end of/iu.test(msg) && line >= content.split('\n').length - 1;
    throw new ListImportError(
      cutShort ? 'TRUNCATED' : 'MALFORMED',
      `${file.name}: ${cutShort ? 'the file ends before its XML is complete' : 'not well-formed XML'} (line ${line}: ${msg})`,
    );
  }
  const wanted = new Set(arrays);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => wanted.has(name),
  });
  return parser.parse(content) as Record<string, unknown>;
}

export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** The text of an element or attribute; undefined when empty. */
export function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') {
    const inner = (value as Record<string, unknown>)['#text'];
    return inner === undefined ? undefined : text(inner);
  }
  const out = String(value).replace(/\s+/gu, ' ').trim();
  return out === '' ? undefined : out;
}
