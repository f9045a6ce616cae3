import { VerifyCheck } from '../types';

export const totals: VerifyCheck = {
  name: 'totals',
  description:
    'record and byte counts of batches, sessions and session_origins, and every batch’s sizes column, equal those re-derived from the observations',
  run(ctx) {
    const pass = ctx.observationPass();
    const originNames = new Map(
      ctx.store
        .all<{ id: number; source: string | null; license: string | null }>(
          `SELECT o.id, s.name AS source, l.expression AS license
             FROM origins o LEFT JOIN sources s ON s.id = o.source_id LEFT JOIN licenses l ON l.id = o.license_id`,
        )
        .map((r) => [r.id, `${r.source ?? '?'} / ${r.license ?? '?'}`]),
    );
    for (const s of ctx.sessions) {
      let bytes = 0;
      for (const b of s.batches) {
        const derived = pass.batchBytes[b.job];
        bytes += derived;
        const mismatch = pass.sizeColumns[b.job];
        if (mismatch) ctx.fail({ session_id: s.uid, batch_seq: b.seq, ...mismatch });
        if (derived !== b.byte_count) {
          ctx.fail({
            session_id: s.uid,
            batch_seq: b.seq,
            message: 'batch byte_count differs from the sum of its samples’ sizes',
            expected: String(derived),
            found: String(b.byte_count),
          });
        }
      }
      if (bytes !== s.byte_count) {
        ctx.fail({
          session_id: s.uid,
          message: 'session byte_count differs from the sum of its observations’ sample sizes',
          expected: String(bytes),
          found: String(s.byte_count),
        });
      }
      const derived = pass.perOrigin.get(s.id) ?? new Map();
      const stored = new Map(
        ctx.store
          .all<{
            origin_id: number;
            records: number;
            bytes: number;
          }>('SELECT origin_id, records, bytes FROM session_origins WHERE session_id = ?', [s.id])
          .map((r) => [r.origin_id, r]),
      );
      const ids = [...new Set([...derived.keys(), ...stored.keys()])].sort((a, b) => a - b);
      for (const id of ids) {
        const d = derived.get(id) ?? { records: 0, bytes: 0 };
        const st = stored.get(id) ?? { records: 0, bytes: 0 };
        const name = originNames.get(id) ?? `origin ${id}`;
        if (d.records !== st.records || d.bytes !== st.bytes) {
          ctx.fail({
            session_id: s.uid,
            message: `session_origins totals for ${name} differ from the observations`,
            expected: `${d.records} records, ${d.bytes} bytes`,
            found: stored.has(id) ? `${st.records} records, ${st.bytes} bytes` : 'no row',
          });
        }
      }
    }
  },
};
