import { Flags } from '@oclif/core';
import { INTENDED_USES } from './core/licenses';

/** Flags shared by the commands that evaluate licenses. */
export const licenseFlags = {
  licenses: Flags.string({
    summary:
      'License overlay YAML on top of the built-in taxonomy. Default: origin.licenses.yaml beside the database, if present.',
  }),
  'intended-use': Flags.string({
    summary:
      'What the trained model will be used for; non-commercial data is a conflict under commercial use. Default: commercial.',
    options: [...INTENDED_USES],
  }),
};
