import { Document, isScalar, isSeq, parseDocument, visit, type YAMLMap, type YAMLSeq } from 'yaml';

/**
 * Pipeline files are read and written with the `yaml` package, the parser the companion server
 * uses too, so the editor reads a file exactly as a run does (YAML 1.2 core schema, duplicate
 * keys refused).
 */
export type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };

/** A file the editor cannot read, with the line of the problem when known. */
export class YamlError extends Error {
  constructor(
    message: string,
    readonly line?: number
  ) {
    super(line ? `line ${line}: ${message}` : message);
    this.name = 'YamlError';
  }
}

/** Parse one YAML document (an empty document is `null`). */
export function parseYaml(source: string): YamlValue {
  const doc = parseDocument(source, { uniqueKeys: true, prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0].line;
    throw new YamlError(error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), line);
  }
  return (doc.toJS({ maxAliasCount: 100 }) ?? null) as YamlValue;
}

/** Collections of scalars this short are written on one line (`{ x: 10, y: -20 }`), so a move is a one-line diff. */
const FLOW_WIDTH = 72;

function isSmallScalarCollection(node: YAMLMap | YAMLSeq): boolean {
  const items = node.items as unknown[];
  if (items.length === 0) {
    return true;
  }
  const scalars = items.every(item => (isSeq(node) ? isScalar(item) : isScalar((item as { value: unknown }).value)));
  return scalars && JSON.stringify(node.toJSON()).length <= FLOW_WIDTH;
}

/** Serialize a value as block YAML (ending with a newline), keys in the order given. */
export function stringifyYaml(value: YamlValue): string {
  const doc = new Document(value);
  visit(doc, {
    Map: (_key, node) => {
      if (node !== doc.contents && isSmallScalarCollection(node)) {
        node.flow = true;
      }
    },
    Seq: (_key, node) => {
      if (node !== doc.contents && isSmallScalarCollection(node)) {
        node.flow = true;
      }
    }
  });
  return doc.toString({ lineWidth: 0 });
}


