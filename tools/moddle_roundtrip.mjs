// Open and save every model as the bpmn.io modelers do (bpmn-moddle, dmn-moddle), with no change: the tests
// check that a model saved this way means exactly what the committed one does.
// Usage: node tools/moddle_roundtrip.mjs <from-dir> <to-dir>
import { BpmnModdle } from 'bpmn-moddle';
import { DmnModdle } from 'dmn-moddle';
import fs from 'node:fs';
import path from 'node:path';

const [from, to] = process.argv.slice(2);
fs.mkdirSync(to, { recursive: true });
for (const name of fs.readdirSync(from).sort()) {
  const moddle = name.endsWith('.bpmn') ? new BpmnModdle() : name.endsWith('.dmn') ? new DmnModdle() : null;
  if (!moddle) { continue; }
  const { rootElement, warnings } = await moddle.fromXML(fs.readFileSync(path.join(from, name), 'utf8'));
  if (warnings.length) { console.error(name, warnings.map((w) => w.message).join('; ')); process.exitCode = 1; }
  const { xml } = await moddle.toXML(rootElement, { format: true });
  fs.writeFileSync(path.join(to, name), xml);
}
