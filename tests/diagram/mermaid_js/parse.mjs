// Parses Mermaid diagrams with Mermaid's own parser and prints what it read, for
// tests/diagram/test_mermaid_parser.py. stdin: a JSON list of diagram texts; stdout: a JSON
// list with, per diagram, {ok, error} and the nodes', edges' and subgraphs' labels as Mermaid
// shows them (its entity codes decoded as it decodes them when drawing).
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

// Mermaid keeps "#name;" and "#123;" as placeholders while parsing and turns them into HTML
// entities when it draws; the browser then shows the character.
function shown(text) {
  const entities = (text ?? "").replace(/ﬂ°°/g, "&#").replace(/ﬂ°/g, "&").replace(/¶ß/g, ";");
  const box = document.createElement("textarea");
  box.innerHTML = entities;
  return box.value;
}

const results = [];
for (const text of JSON.parse(readFileSync(0, "utf8"))) {
  try {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db;
    const vertices = {};
    for (const [id, vertex] of db.getVertices()) vertices[id] = shown(vertex.text);
    results.push({
      ok: true,
      type: diagram.type,
      vertices,
      edges: db.getEdges().map((e) => [e.start, e.end, shown(e.text)]),
      subgraphs: db.getSubGraphs().map((s) => [s.id, shown(s.title), s.nodes]),
    });
  } catch (error) {
    results.push({ ok: false, error: String(error.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
