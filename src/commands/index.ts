// Explicit command discovery (oclif "explicit" strategy), so a bundler can see every command.
import Ingest from './ingest';
import Init from './init';
import Status from './status';
import Version from './version';

export const commands = {
  ingest: Ingest,
  init: Init,
  status: Status,
  version: Version,
};
