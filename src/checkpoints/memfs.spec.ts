import { readBlob, writeBlob } from './git';
import { MemFs } from './memfs';

const bytes = (text: string) => new TextEncoder().encode(text);

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'resolved';
}

describe('MemFs', () => {
  it('rejects a bare readFile without side effects', async () => {
    const fs = new MemFs();
    const probe = (fs.readFile as () => Promise<unknown>)();
    expect(probe).toBeInstanceOf(Promise);
    await expect(probe).rejects.toThrow();
    expect(await fs.readdir('/')).toEqual([]);
  });

  it('writes, reads and lists files', async () => {
    const fs = new MemFs();
    await fs.mkdir('/a');
    await fs.writeFile('/a/f', bytes('hello'));
    await fs.writeFile('a/./g', 'text');
    expect(await fs.readFile('/a/f', 'utf8')).toBe('hello');
    expect(await fs.readFile('/a/g', 'utf8')).toBe('text');
    expect(await fs.readFile('/a/g', { encoding: 'utf8' })).toBe('text');
    expect((await fs.readdir('/a')).sort()).toEqual(['f', 'g']);
    const stat = await fs.stat('/a/f');
    expect(stat.isFile()).toBe(true);
    expect(stat.isDirectory()).toBe(false);
    expect(stat.size).toBe(5);
    expect((await fs.stat('/a')).isDirectory()).toBe(true);
    expect(fs.size).toBe(9);
  });

  it('copies written bytes', async () => {
    const fs = new MemFs();
    const data = bytes('abc');
    await fs.writeFile('/f', data);
    data[0] = 0;
    expect(await fs.readFile('/f', 'utf8')).toBe('abc');
  });

  it('fails like Node', async () => {
    const fs = new MemFs();
    await fs.mkdir('/d');
    await fs.writeFile('/d/f', 'x');
    expect(await code(fs.readFile('/missing'))).toBe('ENOENT');
    expect(await code(fs.stat('/missing'))).toBe('ENOENT');
    expect(await code(fs.writeFile('/no/f', 'x'))).toBe('ENOENT');
    expect(await code(fs.mkdir('/no/d'))).toBe('ENOENT');
    expect(await code(fs.mkdir('/d'))).toBe('EEXIST');
    expect(await code(fs.mkdir('/d/f'))).toBe('EEXIST');
    expect(await code(fs.readFile('/d/f/g'))).toBe('ENOTDIR');
    expect(await code(fs.writeFile('/d/f/g', 'x'))).toBe('ENOTDIR');
    expect(await code(fs.readdir('/d/f'))).toBe('ENOTDIR');
    expect(await code(fs.readFile('/d'))).toBe('EISDIR');
    expect(await code(fs.writeFile('/d', 'x'))).toBe('EISDIR');
    expect(await code(fs.rmdir('/d'))).toBe('ENOTEMPTY');
    expect(await code(fs.rmdir('/d/f'))).toBe('ENOTDIR');
    expect(await code(fs.unlink('/d'))).toBe('EISDIR');
    expect(await code(fs.unlink('/missing'))).toBe('ENOENT');
    expect(await code(fs.readlink('/d/f'))).toBe('EINVAL');
  });

  it('removes files and folders', async () => {
    const fs = new MemFs();
    await fs.mkdir('/d');
    await fs.writeFile('/d/f', 'x');
    await fs.unlink('/d/f');
    expect(await fs.readdir('/d')).toEqual([]);
    await fs.rmdir('/d');
    expect(await code(fs.stat('/d'))).toBe('ENOENT');
    expect(fs.size).toBe(0);
  });

  it('keeps symlinks', async () => {
    const fs = new MemFs();
    await fs.writeFile('/target', 'x');
    await fs.symlink('target', '/link');
    expect(await fs.readlink('/link')).toBe('target');
    expect((await fs.lstat('/link')).isSymbolicLink()).toBe(true);
    expect((await fs.stat('/link')).isFile()).toBe(true);
    expect(await fs.readFile('/link', 'utf8')).toBe('x');
    expect(await code(fs.symlink('x', '/link'))).toBe('EEXIST');
    await fs.symlink('/loop', '/loop');
    expect(await code(fs.stat('/loop'))).toBe('ELOOP');
  });

  it('serves isomorphic-git', async () => {
    const fs = new MemFs();
    const oid = await writeBlob({
      fs,
      gitdir: '/repo.git',
      blob: bytes('hi\n')
    });
    // `git hash-object` of "hi\n".
    expect(oid).toBe('45b983be36b73c0788dc9cbcb76cbb80fc7bb057');
    expect(await fs.readdir('/repo.git/objects/45')).toEqual([oid.slice(2)]);
    const { blob } = await readBlob({ fs, gitdir: '/repo.git', oid });
    expect(new TextDecoder().decode(blob)).toBe('hi\n');
  });
});
