// Parses Mermaid state diagrams with mermaid's own parser (the npm package
// mermaid, version 11, as scripts/renderers.sh installs it) and prints, as
// one JSON array, what it read from each file: the diagram's direction, each
// state's descriptions as a browser shows them, and the transitions.
//
// Usage: node mermaid-parse.mjs NODE_DIR FILE...
// mermaid 11 parses state diagrams with its own jison grammar, bundled in
// the mermaid package (@mermaid-js/parser, its Langium grammars, covers other
// diagram types), so the real parser is mermaid.parse itself; it needs a DOM
// for its sanitizer, which jsdom provides.
//
// NODE_DIR is the folder whose node_modules hold mermaid and jsdom. For a
// file that does not parse, the entry holds the parser's error instead.
//
// A description is decoded the way mermaid's render does it: render first
// turns #code; entities into placeholders (encodeEntities, which
// getDiagramFromText applies too), the parser keeps them, the SVG gets them
// back as &#code; / &name; (decodeEntities), and the browser decodes those
// as HTML: here jsdom's HTML parser does.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [nodeDir, ...files] = process.argv.slice(2);
if (!nodeDir || files.length === 0) {
  console.error('usage: node mermaid-parse.mjs NODE_DIR FILE...');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(nodeDir), 'package.json'));
const { JSDOM } = require('jsdom');
const { window } = new JSDOM('');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import(require.resolve('mermaid'));
mermaid.initialize({ startOnLoad: false });

const html = window.document.createElement('div');
function decode(description) {
  const svgText = description
    .replace(/ﬂ°°/g, '&#')
    .replace(/ﬂ°/g, '&')
    .replace(/¶ß/g, ';');
  html.innerHTML = svgText;
  return html.textContent;
}

const out = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  let diagram;
  try {
    const parsed = await mermaid.parse(text);
    if (parsed.diagramType !== 'stateDiagram') {
      throw new Error(`a ${parsed.diagramType} diagram, not a state diagram`);
    }
    diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  } catch (err) {
    out.push({ file, error: `mermaid cannot parse it: ${err?.message ?? err}` });
    continue;
  }
  const db = diagram.db;
  const states = {};
  for (const [id, state] of db.getStates()) {
    states[id] = state.descriptions.map(decode);
  }
  out.push({
    file,
    direction: db.getDirection(),
    states,
    relations: db.getRelations().map((r) => [r.id1, r.id2, decode(r.relationTitle ?? '')]),
  });
}
process.stdout.write(JSON.stringify(out) + '\n');
