// What the flat-file codecs share around their formats: the layout checked with the config (every
// fault named by its path), compiled once per endpoint, and the encode wrapper.
import { CausewayFault, type CausewayError } from '../../model/index.ts';
import type { Codec, CodecConfig, CodecSetup, CodecSink, DecodeContext, DecodeResult, EncodeContext } from '../contract.ts';
import { locateInFile, type FlatEnvelope } from './documents.ts';
import { compileLayout, type Layout } from './layout.ts';

type FlatName = 'csv' | 'fixed-width';

const compiled = new WeakMap<object, Layout | { error: CausewayError }>();

/** The endpoint's layout; used on its own (a script, no hub), the codec compiles its options once. */
export function layoutOf(ctx: DecodeContext<Layout> | EncodeContext<Layout>, codec: FlatName): Layout | { error: CausewayError } {
  if (ctx.settings) return ctx.settings;
  const options = ctx.options ?? {};
  let layout = compiled.get(options);
  if (!layout) {
    const made = compileLayout(options, codec === 'fixed-width', '$.codecOptions');
    layout = made.layout ?? { error: { code: 'FLAT_LAYOUT', message: `the ${codec} layout is invalid: ${made.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}` } };
    compiled.set(options, layout);
  }
  return layout;
}

export function encodeAll(payload: unknown, ctx: EncodeContext<Layout>, codec: FlatName, write: (docs: unknown[], layout: Layout) => Buffer): Buffer {
  const layout = layoutOf(ctx, codec);
  if ('error' in layout) throw new CausewayFault(layout.error);
  const docs = Array.isArray(payload) ? payload : [payload];
  docs.forEach((d, i) => {
    const type = d && typeof d === 'object' ? (d as { type?: unknown }).type : undefined;
    // A mapping may reshape a document into rows of its own; a canonical document must be the layout's type.
    if (typeof type === 'string' && type !== layout.document) {
      throw new CausewayFault({ code: 'FLAT_ENCODE', path: docs.length > 1 ? `$[${i}].type` : '$.type', message: `the ${codec} layout of endpoint ${ctx.endpoint} writes ${layout.document}, not ${type}` });
    }
  });
  try {
    return write(docs, layout);
  } catch (e) {
    if (e instanceof CausewayFault) throw e;
    throw new CausewayFault({ code: 'FLAT_ENCODE', message: (e as Error).message });
  }
}

/**
 * A flat-file codec: its format's reader and writer over the endpoint's layout, the place of an error
 * in the file, and checkConfig and configure (each endpoint using it must carry a valid layout).
 */
export function flatCodec(
  codec: FlatName, contentType: string,
  read: (body: Buffer, layout: Layout) => DecodeResult<FlatEnvelope>, write: (docs: unknown[], layout: Layout) => Buffer,
): Codec<FlatEnvelope, Layout> {
  return {
    name: codec,
    contentType,
    decode(body: Buffer, ctx: DecodeContext<Layout>) {
      const layout = layoutOf(ctx, codec);
      return 'error' in layout ? { documents: [], errors: [layout.error] } : read(body, layout);
    },
    encode(payload: unknown, ctx: EncodeContext<Layout>) {
      return encodeAll(payload, ctx, codec, write);
    },
    locate: locateInFile,
    checkConfig(config: CodecConfig): { errors: CausewayError[]; sinks: CodecSink[] } {
      const errors: CausewayError[] = [];
      for (const [name, ep] of Object.entries(config.endpoints)) {
        if (ep.codec === codec) errors.push(...compileLayout(ep.options, codec === 'fixed-width', `$.endpoints.${name}.codecOptions`).errors);
      }
      return { errors, sinks: [] };
    },
    configure(setup: CodecSetup): Layout {
      const made = compileLayout(setup.options, codec === 'fixed-width', `$.endpoints.${setup.endpoint}.codecOptions`);
      if (!made.layout) throw new CausewayFault(made.errors);
      return made.layout;
    },
  };
}
