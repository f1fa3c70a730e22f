/// <reference types="node" />
/**
 * The PNG decoder against Pillow (from the project's environment): PNGs of
 * every colour type and bit depth Pillow writes, and the PNG outputs of the
 * reference notebooks (drawn by matplotlib and others, every row filter in
 * use), each decoded by both to RGBA.
 */
import { execFileSync } from 'child_process';
import { REFERENCE } from '../testing/reference';
import { decodePng, pngImageComparator } from './png';

/** Writes the cases and decodes them with Pillow: [name, PNG, RGBA, width, height] in base64. */
const PILLOW = `
import base64, glob, io, json, random, sys
from PIL import Image

random.seed(7)
def picture(mode, size=(23, 9)):
    image = Image.new("RGBA", size)
    image.putdata([tuple(random.randrange(256) for _ in range(4)) for _ in range(size[0] * size[1])])
    return image if mode == "RGBA" else image.convert(mode)

def png(image, **options):
    out = io.BytesIO()
    image.save(out, "PNG", **options)
    return out.getvalue()

cases = [
    ("grey, 1 bit", png(picture("1"))),
    ("grey, 8 bits", png(picture("L"))),
    ("grey, 8 bits, one transparent grey", png(picture("L"), transparency=17)),
    ("grey and alpha", png(picture("LA"))),
    ("RGB", png(picture("RGB"))),
    ("RGB, one transparent colour", png(picture("RGB"), transparency=(1, 2, 3))),
    ("RGBA", png(picture("RGBA"))),
    ("RGBA, best compression", png(picture("RGBA"), optimize=True)),
    ("palette, 8 bits", png(picture("RGB").quantize(200))),
    ("palette, 4 bits", png(picture("RGB").quantize(16), bits=4)),
    ("palette, 2 bits", png(picture("RGB").quantize(4), bits=2)),
    ("palette with alpha", png(picture("RGBA").quantize(60, method=Image.Quantize.FASTOCTREE))),
    ("one pixel", png(picture("RGB", (1, 1)))),
]
for name in sorted(glob.glob(sys.argv[1] + "/*/*.ipynb")):
    try:
        notebook = json.load(open(name, encoding="utf-8"))
    except ValueError:
        continue
    images = [
        output["data"]["image/png"]
        for cell in notebook.get("cells", [])
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    for k, data in enumerate(images, 1):
        text = "".join(data) if isinstance(data, list) else data
        cases.append((f"{name.split('reference/')[-1]}, image {k}", base64.b64decode(text)))

result = []
for name, data in cases:
    image = Image.open(io.BytesIO(data))
    if image.info.get("interlace"):
        continue
    rgba = image.convert("RGBA")
    result.append([name, base64.b64encode(data).decode(), base64.b64encode(rgba.tobytes()).decode(), rgba.width, rgba.height])
json.dump(result, sys.stdout)
`;

const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));

describe('decodePng', () => {
  const cases: [string, string, string, number, number][] = JSON.parse(
    execFileSync('python', ['-c', PILLOW, REFERENCE], {
      encoding: 'utf8',
      maxBuffer: 1 << 28
    })
  );

  it('has PNGs of its own and from the reference notebooks', () => {
    expect(
      cases.filter(([name]) => name.includes('.ipynb, image')).length
    ).toBeGreaterThan(10);
  });

  for (const [name, png, rgba, width, height] of cases) {
    it(`decodes ${name} to the pixels Pillow reads`, () => {
      const decoded = decodePng(bytes(png));
      expect(decoded && [decoded.width, decoded.height]).toEqual([
        width,
        height
      ]);
      expect(Buffer.from(decoded!.data).equals(Buffer.from(bytes(rgba)))).toBe(
        true
      );
    });
  }

  it('reads nothing else', () => {
    expect(decodePng(new TextEncoder().encode('GIF89a'))).toBeNull();
    const [, png] = cases[0];
    expect(decodePng(bytes(png).subarray(0, 40))).toBeNull();
  });
});

describe('pngImageComparator', () => {
  const [[, one], [, reencoded], [, other]] = JSON.parse(
    execFileSync(
      'python',
      [
        '-c',
        `
import base64, io, json, sys
from PIL import Image
image = Image.new("RGB", (40, 30), (200, 30, 30))
def png(image, level):
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=level)
    return base64.b64encode(out.getvalue()).decode()
changed = image.copy()
changed.paste((30, 30, 200), (0, 0, 20, 30))
json.dump([["one", png(image, 9)], ["again", png(image, 1)], ["other", png(changed, 9)]], sys.stdout)
`
      ],
      { encoding: 'utf8' }
    )
  );
  const same = pngImageComparator();

  it('finds a re-encoded picture the same, another picture not', () => {
    expect(one).not.toBe(reencoded);
    expect(same(one, reencoded, 'image/png')).toBe(true);
    expect(same(one, other, 'image/png')).toBe(false);
  });

  it('compares what it cannot decode by its bytes', () => {
    expect(same('abc', 'abc', 'image/jpeg')).toBe(true);
    expect(same(one, reencoded, 'image/jpeg')).toBe(false);
    expect(same('not base64!', 'other', 'image/png')).toBe(false);
  });
});
