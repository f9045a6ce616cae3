// Explicit command discovery (oclif "explicit" strategy), so a bundler can see every command.
import Init from './init';
import Status from './status';
import Version from './version';

export const commands = {
  init: Init,
  status: Status,
  version: Version,
};
