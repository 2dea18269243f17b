import * as path from 'path';
import {
  describeManifest, documentSource, findYamlFiles, ManifestFileError, parseYamlDocuments, readYamlFiles,
} from '../../runtime/config/yaml-files';
import { removeDir, tempDir } from './temp-dir';

describe('YAML manifest files', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir({
      'b.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: b}\n',
      'a/one.yml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n',
      'a/notes.txt': 'not yaml',
      '.git/config.yaml': 'hidden: true\n',
    });
  });
  afterAll(() => removeDir(dir));

  test('a directory yields every *.yaml and *.yml below it, in name order, skipping hidden directories', () => {
    expect(findYamlFiles([dir])).toEqual([path.join(dir, 'a/one.yml'), path.join(dir, 'b.yaml')]);
  });

  test('files named explicitly are read whatever their extension', () => {
    expect(findYamlFiles([path.join(dir, 'a/notes.txt')])).toEqual([path.join(dir, 'a/notes.txt')]);
  });

  test('a missing path is an error naming it', () => {
    const missing = path.join(dir, 'missing.yaml');
    expect(() => findYamlFiles([missing])).toThrow(new ManifestFileError(`${missing}: no such file or directory`, missing));
  });

  test('documents are tagged with file, 1-based index and start line; empty documents are skipped but counted', () => {
    const text = '---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n---\n# comment\napiVersion: v1\nkind: Service\nmetadata: {name: b, namespace: prod}\n---\n';
    const docs = parseYamlDocuments(text, 'x.yaml');
    expect(docs.map((d) => [d.index, d.line])).toEqual([[1, 2], [3, 8]]);
    expect(docs.map((d) => documentSource(d))).toEqual(['x.yaml#1 (Service default/a)', 'x.yaml#3 (Service prod/b)']);
  });

  test('a parse error names the file, line and column', () => {
    const text = 'apiVersion: v1\nkind: Service\n---\nmetadata:\n  name: [a\n';
    expect(() => parseYamlDocuments(text, 'bad.yaml')).toThrow(/^bad\.yaml:6:1: /);
    try {
      parseYamlDocuments(text, 'bad.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(ManifestFileError);
      expect((e as ManifestFileError).line).toBe(6);
    }
  });

  test('readYamlFiles reads all files of a directory', () => {
    expect(readYamlFiles([dir]).map((d) => describeManifest(d.object))).toEqual(['Namespace prod', 'Service default/b']);
  });
});
