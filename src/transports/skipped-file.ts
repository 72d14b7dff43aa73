import type { EndpointContext } from './contract.ts';

export const SOURCE_FILE_SKIPPED = 'source_file_skipped';

/**
 * The alert of a file a source had to leave: larger than maxFileBytes, or unreadable. It never
 * becomes a message, so without this only the log would know that a partner's file did not come
 * in. One alert per file and version (its modification time): a file left in an SFTP inbox is
 * seen again at every poll, and alerted once.
 */
export async function alertSkippedFile(ctx: EndpointContext, file: { name: string; mtime: number; size: number }, why: string): Promise<void> {
  try {
    await ctx.store.raiseAlert({
      tenant: ctx.tenant, kind: SOURCE_FILE_SKIPPED, subject: `endpoint ${ctx.name} file ${file.name}`, createdAt: Date.now(),
      message: `${ctx.name}: ${file.name} (${file.size.toLocaleString('en-US')} bytes) was not taken in: ${why}`,
      dedupeKey: `${SOURCE_FILE_SKIPPED}:${ctx.name}:${file.name}:${file.mtime}`,
      detail: { endpoint: ctx.name, file: file.name, bytes: file.size, modified: new Date(file.mtime).toISOString(), reason: why },
    });
  } catch (e) {
    ctx.logger.warn({ endpoint: ctx.name, file: file.name, err: e }, 'raising the alert of a file left aside failed');
  }
}
