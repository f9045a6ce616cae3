import { HASH_BYTES } from '../../merkle';
import { VerifyCheck } from '../types';

export const batchLayout: VerifyCheck = {
  name: 'batch_layout',
  description:
    'batches are numbered 0, 1, 2…, each starts where the previous ended, and its columns hold record_count observations',
  run(ctx) {
    const pass = ctx.observationPass();
    for (const s of ctx.sessions) {
      let position = 0;
      s.batches.forEach((b, i) => {
        const where = { session_id: s.uid, batch_seq: b.seq };
        if (b.seq !== i) {
          ctx.fail({
            ...where,
            message: `batch numbering has a gap or repeat: the batch at index ${i} is numbered ${b.seq}`,
            expected: String(i),
            found: String(b.seq),
          });
        }
        if (b.first_position !== position) {
          ctx.fail({
            ...where,
            message: 'batch does not start where the previous batch ended (first_position)',
            position,
            expected: String(position),
            found: String(b.first_position),
          });
        }
        if (b.fingerprintsLength !== b.record_count * HASH_BYTES) {
          ctx.fail({
            ...where,
            message: `fingerprints column holds ${b.fingerprintsLength} bytes, record_count ${b.record_count} needs ${b.record_count * HASH_BYTES}`,
            expected: String(b.record_count * HASH_BYTES),
            found: String(b.fingerprintsLength),
          });
        }
        const decoded = pass.origins[b.job];
        if (typeof decoded === 'string') {
          ctx.fail({ ...where, message: `origins column does not match record_count: ${decoded}` });
        }
        position += b.leaves;
      });
    }
  },
};
