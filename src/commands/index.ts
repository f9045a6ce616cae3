// Explicit command discovery (oclif "explicit" strategy), so a bundler can see every command.
import Ingest from './ingest';
import Init from './init';
import Inspect from './inspect';
import SessionEnd from './session/end';
import SessionStart from './session/start';
import Sessions from './sessions';
import Status from './status';
import Version from './version';

export const commands = {
  ingest: Ingest,
  init: Init,
  inspect: Inspect,
  'session:end': SessionEnd,
  'session:start': SessionStart,
  sessions: Sessions,
  status: Status,
  version: Version,
};
