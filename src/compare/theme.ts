/**
 * The current JupyterLab theme's colours for the canvas charts (a canvas
 * cannot read CSS variables itself), read again when the theme changes.
 */
import { RefObject, useEffect, useState } from 'react';

/** The theme's colours a canvas chart draws with (a canvas cannot read CSS variables itself). */
export interface IThemeColors {
  text: string;
  muted: string;
  faint: string;
  border: string;
  grid: string;
  brand: string;
  background: string;
  font: string;
  fontSize: number;
}

/** The current theme's colours, as the CSS variables inherited by `node` hold them. */
export function readTheme(node: Element): IThemeColors {
  const style = getComputedStyle(node);
  const read = (name: string, fallback: string) =>
    style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--jp-ui-font-color1', '#212121'),
    muted: read('--jp-ui-font-color2', '#616161'),
    faint: read('--jp-ui-font-color3', '#9e9e9e'),
    border: read('--jp-border-color1', '#bdbdbd'),
    grid: read('--jp-border-color2', '#e0e0e0'),
    brand: read('--jp-brand-color1', '#1976d2'),
    background: read('--jp-layout-color0', '#ffffff'),
    font: read('--jp-ui-font-family', 'sans-serif'),
    fontSize: parseFloat(read('--jp-ui-font-size1', '13px')) || 13
  };
}

function sameTheme(a: IThemeColors, b: IThemeColors): boolean {
  return (Object.keys(a) as (keyof IThemeColors)[]).every(
    key => a[key] === b[key]
  );
}

/** The theme's colours, read again when JupyterLab switches theme. */
export function useTheme(
  container: RefObject<HTMLElement>
): IThemeColors | null {
  const [theme, setTheme] = useState<IThemeColors | null>(null);
  useEffect(() => {
    const node = container.current;
    if (!node) {
      return;
    }
    let frame = 0;
    const update = () =>
      setTheme(previous => {
        const next = readTheme(node);
        return previous && sameTheme(previous, next) ? previous : next;
      });
    update();
    // The theme's attributes change as its style sheet lands: read a frame later.
    const observer = new MutationObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(update);
    });
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
    });
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, []);
  return theme;
}
