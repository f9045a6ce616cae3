/**
 * The members of a tar stream (ustar, pax and GNU headers, through tar-stream), read as they
 * come: one member's data is read before the next header, so memory stays at a chunk or two.
 */
import { extract } from 'tar-stream';

export interface TarMember {
  /** 1-based position in the archive, directories and links included. */
  number: number;
  name: string;
  /** Regular files carry data; directories, links and devices are members without any. */
  isFile: boolean;
  data: AsyncIterable<Buffer>;
}

/** A tar stream that cannot be read: truncated, or a header that is not one. */
export class TarError extends Error {
  constructor(
    readonly member: number,
    detail: string,
  ) {
    super(`tar data is truncated or corrupt (${detail})`);
  }
}

async function* memberData(
  entry: AsyncIterable<Buffer>,
  number: number,
  sourceError: () => { error: unknown } | undefined,
): AsyncGenerator<Buffer> {
  try {
    yield* entry;
  } catch (err) {
    throw sourceError()?.error ?? new TarError(number, (err as Error).message);
  }
}

/**
 * Yields each member of the tar stream `chunks`; the caller must read (or skip) a member's data
 * before asking for the next one. Errors of `chunks` itself are thrown as they are.
 */
export async function* tarMembers(chunks: AsyncIterable<Buffer>): AsyncGenerator<TarMember> {
  const tar = extract();
  let sourceError: { error: unknown } | undefined;
  const feed = (async () => {
    try {
      for await (const chunk of chunks) {
        if (!tar.write(chunk)) await new Promise<void>((resolve) => tar.once('drain', resolve));
        if (tar.destroyed) return;
      }
      tar.end(null);
    } catch (err) {
      sourceError = { error: err };
      tar.destroy(err as Error);
    }
  })();
  let number = 0;
  try {
    for await (const entry of tar) {
      number++;
      const type = entry.header.type;
      yield {
        number,
        name: entry.header.name,
        isFile: type === 'file' || type === 'contiguous-file',
        data: memberData(entry as AsyncIterable<Buffer>, number, () => sourceError),
      };
      // Whatever of its data the caller left is skipped.
      try {
        for await (const rest of entry as AsyncIterable<Buffer>) void rest;
      } catch (err) {
        throw sourceError?.error ?? new TarError(number, (err as Error).message);
      }
    }
  } catch (err) {
    if (err instanceof TarError) throw err;
    throw sourceError?.error ?? new TarError(number + 1, (err as Error).message);
  } finally {
    if (!tar.destroyed) tar.destroy();
    await feed;
  }
  if (sourceError) throw sourceError.error;
}
