// Explicit command discovery (oclif "explicit" strategy), so a bundler can see every command.
import Card from './card';
import Conflicts from './conflicts';
import Export from './export';
import Ingest from './ingest';
import Init from './init';
import Inspect from './inspect';
import LicensesCheck from './licenses/check';
import LicensesList from './licenses/list';
import LicensesShow from './licenses/show';
import LineageList from './lineage/list';
import LineageRecord from './lineage/record';
import LineageTrace from './lineage/trace';
import LineageVerify from './lineage/verify';
import Prove from './prove';
import Query from './query';
import SessionEnd from './session/end';
import SessionStart from './session/start';
import Sessions from './sessions';
import Status from './status';
import Trace from './trace';
import Verify from './verify';
import VerifyProof from './verify-proof';
import Version from './version';

export const commands = {
  card: Card,
  conflicts: Conflicts,
  export: Export,
  ingest: Ingest,
  init: Init,
  inspect: Inspect,
  'licenses:check': LicensesCheck,
  'licenses:list': LicensesList,
  'licenses:show': LicensesShow,
  'lineage:list': LineageList,
  'lineage:record': LineageRecord,
  'lineage:trace': LineageTrace,
  'lineage:verify': LineageVerify,
  prove: Prove,
  query: Query,
  'session:end': SessionEnd,
  'session:start': SessionStart,
  sessions: Sessions,
  status: Status,
  trace: Trace,
  verify: Verify,
  'verify-proof': VerifyProof,
  version: Version,
};
