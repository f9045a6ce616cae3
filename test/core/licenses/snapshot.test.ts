import { readFileSync } from 'node:fs';
import { defaultTaxonomyPath, loadTaxonomy } from '../../../src/core/licenses';
import { sha256Hex } from '../../../src/core/licenses/taxonomy';
import { YamlSource } from '../../../src/core/licenses/yaml-source';

describe('taxonomy snapshot', () => {
  const path = defaultTaxonomyPath();
  const text = readFileSync(path, 'utf8');
  const snapshot = YamlSource.parse(text, path).toSnapshot(sha256Hex(text));

  it('loads the same taxonomy as the YAML, lines of definitions included', () => {
    const fromYaml = loadTaxonomy({ text, path });
    const fromSnapshot = loadTaxonomy({ snapshot: JSON.parse(JSON.stringify(snapshot)) });
    expect(fromSnapshot).toEqual(fromYaml);
    expect(fromSnapshot.licenses.get('MIT')?.defined_at).toMatch(/licenses\.yaml:\d+$/);
    expect(fromSnapshot.licenses.get('MIT')?.defined_at).toBe(
      fromYaml.licenses.get('MIT')?.defined_at,
    );
  });

  it('takes an overlay on top, and reports the overlay by line', () => {
    const overlayText = 'version: 1\nrules:\n  - id: unknown-license\n    enabled: false\n';
    const t = loadTaxonomy({ snapshot, overlayText, overlayPath: 'o.yaml' });
    expect(t.rules.map((r) => r.id)).not.toContain('unknown-license');
    expect(() =>
      loadTaxonomy({
        snapshot,
        overlayText: 'version: 1\nrules:\n  - id: x\n    severity: fatal\n',
        overlayPath: 'o.yaml',
      }),
    ).toThrow(/o\.yaml, line 4/);
  });

  it('is keyed by the SHA-256 of the YAML text it came from', () => {
    expect(snapshot.sha256).toBe(sha256Hex(text));
    expect(sha256Hex(`${text}\n`)).not.toBe(snapshot.sha256);
  });
});
