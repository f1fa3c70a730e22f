import { Clipboard } from '@jupyterlab/apputils';

/**
 * Put text on the system clipboard: the asynchronous Clipboard API where the
 * page may use it, else JupyterLab's copy command (a plain-http page on
 * another host has no `navigator.clipboard`; a page without focus is denied).
 */
export async function copyText(
  text: string
): Promise<'clipboard' | 'fallback'> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return 'clipboard';
    }
  } catch {
    // Denied: fall back below.
  }
  Clipboard.copyToSystem(text);
  return 'fallback';
}
