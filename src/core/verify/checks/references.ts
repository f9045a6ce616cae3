import { VerifyCheck } from '../types';

/** Rows whose reference points nowhere: [query, message for one row]. */
const DANGLING: readonly [string, (r: Record<string, number>) => string][] = [
  [
    `SELECT o.id, o.source_id FROM origins o LEFT JOIN sources s ON s.id = o.source_id WHERE s.id IS NULL`,
    (r) => `origin ${r.id} refers to source ${r.source_id}, which does not exist`,
  ],
  [
    `SELECT o.id, o.license_id FROM origins o LEFT JOIN licenses l ON l.id = o.license_id WHERE l.id IS NULL`,
    (r) => `origin ${r.id} refers to license ${r.license_id}, which does not exist`,
  ],
  [
    `SELECT b.id, b.seq, b.session_id FROM batches b LEFT JOIN sessions s ON s.id = b.session_id WHERE s.id IS NULL`,
    (r) =>
      `batch ${r.seq} (row ${r.id}) belongs to session row ${r.session_id}, which does not exist`,
  ],
  [
    `SELECT so.session_id, so.origin_id FROM session_origins so LEFT JOIN sessions s ON s.id = so.session_id WHERE s.id IS NULL`,
    (r) =>
      `session_origins row for origin ${r.origin_id} belongs to session row ${r.session_id}, which does not exist`,
  ],
  [
    `SELECT so.session_id, so.origin_id FROM session_origins so LEFT JOIN origins o ON o.id = so.origin_id WHERE o.id IS NULL`,
    (r) =>
      `session_origins of session row ${r.session_id} refers to origin ${r.origin_id}, which does not exist`,
  ],
  [
    `SELECT e.id, e.session_id FROM events e LEFT JOIN sessions s ON s.id = e.session_id WHERE e.session_id IS NOT NULL AND s.id IS NULL`,
    (r) => `event ${r.id} names session row ${r.session_id}, which does not exist`,
  ],
  [
    `SELECT p.child_id, p.parent_id FROM event_parents p LEFT JOIN events e ON e.id = p.child_id WHERE e.id IS NULL`,
    (r) =>
      `event_parents row (${r.child_id} → ${r.parent_id}) names child event ${r.child_id}, which does not exist`,
  ],
  [
    `SELECT p.child_id, p.parent_id FROM event_parents p LEFT JOIN events e ON e.id = p.parent_id WHERE e.id IS NULL`,
    (r) => `event ${r.child_id} names parent event ${r.parent_id}, which does not exist`,
  ],
];

export const references: VerifyCheck = {
  name: 'references',
  description:
    'every observation has its sample and origin; origins, batches, totals and events point at rows that exist',
  run(ctx) {
    for (const [sql, message] of DANGLING) {
      for (const r of ctx.store.all<Record<string, number>>(sql)) ctx.fail({ message: message(r) });
    }
    // Observations → samples (and sample rows that are well-formed).
    const pass = ctx.observationPass();
    // Observations → origins.
    const originIds = new Set(
      ctx.store.all<{ id: number }>('SELECT id FROM origins').map((r) => r.id),
    );
    for (const b of ctx.batches) {
      const decoded = pass.origins[b.job];
      if (typeof decoded === 'string') continue; // reported by batch_layout
      const uid = ctx.sessionOf(b)?.uid;
      const reported = new Set<number>();
      for (let r = 0, i = 0; r < decoded.length; i += decoded[r + 1], r += 2) {
        const id = decoded[r];
        if (originIds.has(id) || reported.has(id)) continue;
        reported.add(id);
        ctx.fail({
          message: `observation refers to origin ${id}, which does not exist`,
          session_id: uid,
          batch_seq: b.seq,
          position: b.start + i,
        });
      }
    }
    if (!ctx.scope) {
      const orphans = ctx.sampleIndex().unseen();
      if (orphans > 0) {
        ctx.notes.push(
          `${orphans} sample(s) are recorded but never observed in any batch (harmless, but not written by ingest)`,
        );
      }
    }
  },
};
