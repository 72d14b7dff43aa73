/**
 * Writes the endpoint reference (docs/endpoints.md) from the endpoint specs themselves, so the
 * documentation and the validation can never disagree. `npm run docs` regenerates it; a test
 * fails when the committed file is out of date.
 */
import { z } from 'zod';
import { endpointSchema } from '../src/config/index.ts';
import { builtIns } from '../src/endpoints.ts';
import { defaultCodecOf, type EndpointSpec } from '../src/transports/index.ts';

type JsonSchema = { type?: string | string[]; description?: string; default?: unknown; examples?: unknown[]; enum?: unknown[]; properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema; anyOf?: JsonSchema[] };

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (s.anyOf) return s.anyOf.map(typeOf).join(' \\| ');
  if (s.type === 'array') return `${s.items ? typeOf(s.items) : 'any'}[]`;
  return Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'any');
}

function table(schema: JsonSchema): string {
  const rows = Object.entries(schema.properties ?? {}).map(([name, p]) => {
    const req = schema.required?.includes(name) && p.default === undefined ? 'yes' : '';
    const def = p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``;
    const ex = p.examples?.length ? ` e.g. \`${JSON.stringify(p.examples[0])}\`` : '';
    return `| \`${name}\` | ${typeOf(p)} | ${req} | ${def} | ${(p.description ?? '').replace(/\|/g, '\\|')}${ex} |`;
  });
  return ['| setting | type | required | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The document types a spec declares, in words: `causeway validate` holds flows to them. */
function documentTypes(declared: EndpointSpec['produces'], verb: 'reads' | 'writes'): string {
  if (typeof declared === 'function') return 'as its settings say';
  if (declared === 'codec') return `whatever its codec ${verb}`;
  return declared.length ? declared.map((t) => `\`${t}\``).join(', ') : 'nothing';
}

export function endpointReference(): string {
  const toSchema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const common = toSchema(endpointSchema);
  const parts = [
    '# Endpoint reference',
    '',
    '<!-- Generated from the endpoint specs by `npm run docs`; edit the specs, not this file. -->',
    '',
    'Every endpoint in `causeway.yaml` has a name, a `type` and these common settings, then the settings of its type. The names `api`, `inventory` and `causeway` are taken: they name the sources of what comes in through the API, of Causeway\'s own inventory documents and of the statuses the rules send.',
    '',
    table(common),
    '',
  ];
  for (const spec of [...builtIns.endpoints.values()].sort((a, b) => a.type.localeCompare(b.type))) {
    const roles = [spec.createSource ? 'source' : '', spec.createSink ? 'target' : ''].filter(Boolean).join(' and ') || 'inbound through the API';
    const canonical = spec.canonicalOnly ? ' It takes canonical documents only, as they are: a flow into it may not have a mapping.' : '';
    parts.push(`## \`${spec.type}\``, '', `${spec.description}`, '', `Acts as: ${roles}. Default codec: \`${defaultCodecOf(spec)}\`.`, '',
      `Produces: ${documentTypes(spec.produces, 'reads')}. Accepts: ${documentTypes(spec.accepts, 'writes')}.${canonical}`, '', table(toSchema(spec.config)), '');
  }
  return parts.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(endpointReference());
