import { ApiError } from '../../rest';
import { codePointOffset, errorRange, filterErrorOf } from './errors';

describe('filterErrorOf', () => {
  it("reads the position from the server's message", () => {
    expect(
      filterErrorOf(new ApiError(400, "at 14: expected a value, found ')'"))
    ).toEqual({
      position: 14,
      message: "at 14: expected a value, found ')'",
      expected: 'a value',
      found: ')'
    });
  });

  it('reads messages with a reason, the end, and double-quoted finds', () => {
    expect(
      filterErrorOf(
        new ApiError(
          400,
          "at 0: unknown attribute: expected an identifier, found 'colour'"
        )
      )
    ).toMatchObject({
      position: 0,
      expected: 'an identifier',
      found: 'colour'
    });
    expect(
      filterErrorOf(new ApiError(400, 'at 11: expected a value, found the end'))
    ).toMatchObject({ position: 11, expected: 'a value', found: '' });
    expect(
      filterErrorOf(new ApiError(400, `at 4: expected a value, found "it's"`))
    ).toMatchObject({ position: 4, found: "it's" });
  });

  it('is null for an error in another part of the request', () => {
    const error = Object.assign(
      new ApiError(400, 'at 0: expected x, found y'),
      {
        body: { position: 0, expected: 'x', found: 'y', argument: 'order_by' }
      }
    );
    expect(filterErrorOf(error)).toBeNull();
  });

  it('prefers the fields of the reply body when the error has them', () => {
    const error = Object.assign(new ApiError(400, 'bad filter'), {
      body: { position: 3, expected: 'an operator', found: 'foo' }
    });
    expect(filterErrorOf(error)).toEqual({
      position: 3,
      message: 'bad filter',
      expected: 'an operator',
      found: 'foo'
    });
  });

  it('is null for other failures', () => {
    expect(filterErrorOf(new ApiError(500, 'at 1: expected x, found y'))).toBe(
      null
    );
    expect(filterErrorOf(new ApiError(400, 'limit is too large'))).toBeNull();
    expect(filterErrorOf(new Error('network'))).toBeNull();
    expect(filterErrorOf(null)).toBeNull();
    expect(filterErrorOf('at 1: expected x, found y')).toBeNull();
  });
});

describe('errorRange', () => {
  const error = (position: number, found: string) => ({
    position,
    found,
    expected: 'a value',
    message: ''
  });

  it('covers what was found at the position', () => {
    expect(errorRange('params.lr > )', error(12, ')'))).toEqual({
      from: 12,
      to: 13
    });
    expect(errorRange('params.lr foo 1', error(10, 'foo'))).toEqual({
      from: 10,
      to: 13
    });
  });

  it('covers one character when the text differs, none at the end', () => {
    expect(errorRange('a = ', error(4, 'end of input'))).toEqual({
      from: 4,
      to: 4
    });
    expect(errorRange('a = ', error(40, ''))).toEqual({ from: 4, to: 4 });
    expect(errorRange('a ? b', error(2, 'something else'))).toEqual({
      from: 2,
      to: 3
    });
  });

  it('counts characters as the server does, not UTF-16 units', () => {
    // Python counts 😀 as one character; the editor as two units.
    const text = "tags.x = '😀' )";
    expect(errorRange(text, error(13, ')'))).toEqual({ from: 14, to: 15 });
    expect(codePointOffset('😀😀a', 2)).toBe(4);
    expect(errorRange('😀', error(0, 'x'))).toEqual({ from: 0, to: 2 });
  });
});
