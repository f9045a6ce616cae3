import { canonicalJson } from '../../../src/core/samples/fingerprint';
import { SessionHeadDocument, headDocument, headOf } from '../../../src/core/sessions/head';
import { V2Vectors, readVector } from '../../helpers/vectors';

const v2 = readVector<V2Vectors>('v2.json').session_head;
const doc = v2.document as unknown as SessionHeadDocument;

describe('session head (SPEC §2.2, vectors/v2.json)', () => {
  it('is SHA-256 of the JCS head document', () => {
    expect(canonicalJson(doc)).toBe(v2.jcs);
    expect(headOf(doc).toString('hex')).toBe(v2.head);
  });

  it('is made from a session row field by field', () => {
    const row = {
      uid: doc.session_id,
      status: doc.status as 'completed',
      started_at: doc.started_at,
      ended_at: doc.ended_at,
      config_hash: doc.config_hash,
      metadata: JSON.stringify(doc.metadata),
      record_count: doc.records,
      byte_count: doc.bytes,
      skipped_count: doc.skipped,
      root: Buffer.from(doc.root, 'hex'),
      origins_root: Buffer.from(doc.origins_root, 'hex'),
    };
    expect(headDocument(row)).toEqual(doc);
    expect(headOf(headDocument(row)).toString('hex')).toBe(v2.head);
    expect(() => headDocument({ ...row, metadata: '[1]' })).toThrow(/metadata/);
    expect(() => headDocument({ ...row, metadata: '{"a":1}' })).toThrow(/metadata/);
    expect(() => headDocument({ ...row, metadata: '{' })).toThrow(SyntaxError);
  });
});
