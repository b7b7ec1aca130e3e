// Keeps imports pointing inward: domain <- ports <- adapters <- app (DESIGN.md, "Layers").
import path from 'node:path';

const LAYERS = ['domain', 'ports', 'adapters', 'app'];

/** Where a file sits: { layer, adapter } for files under src/, 'migrations' for migrations/, else null. */
function locate(file, root) {
  const rel = path.relative(root, file).split(path.sep);
  if (rel[0] === 'migrations') return { layer: 'migrations' };
  if (rel[0] !== 'src' || rel.length < 3) return null;
  if (!LAYERS.includes(rel[1])) return null;
  return { layer: rel[1], adapter: rel[1] === 'adapters' ? rel[2] : undefined };
}

function allowed(from, to) {
  if (!to) return true;
  if (from.layer === 'migrations')
    return (
      to.layer === 'migrations' ||
      to.layer === 'domain' ||
      (to.layer === 'adapters' && to.adapter === 'kysely')
    );
  if (to.layer === 'migrations') return from.layer === 'app';
  if (from.layer === 'domain') return to.layer === 'domain';
  if (from.layer === 'ports') return to.layer === 'domain' || to.layer === 'ports';
  if (from.layer === 'adapters') {
    if (to.layer === 'adapters') return to.adapter === from.adapter;
    return to.layer === 'domain' || to.layer === 'ports';
  }
  return true;
}

function describe(place) {
  if (place.layer === 'adapters') return `adapters/${place.adapter}`;
  return place.layer;
}

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports must point inward: domain <- ports <- adapters <- app' },
    schema: [],
    messages: {
      outward:
        '{{from}} must not import from {{to}}: imports point inward (domain <- ports <- adapters <- app)',
      package: 'the domain imports nothing, not even "{{name}}"',
    },
  },
  create(context) {
    const root = context.cwd ?? process.cwd();
    const file = context.filename;
    const from = locate(file, root);
    if (!from) return {};
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      if (!source.startsWith('.')) {
        if (from.layer === 'domain' && !source.startsWith('node:')) {
          context.report({ node, messageId: 'package', data: { name: source } });
        }
        return;
      }
      const to = locate(path.resolve(path.dirname(file), source), root);
      if (!allowed(from, to)) {
        context.report({ node, messageId: 'outward', data: { from: describe(from), to: describe(to) } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { layers: layersRule } };
