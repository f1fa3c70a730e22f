import React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

import { FailureList } from './StatusItem';

describe('FailureList', () => {
  it("shows the server's message as text, with what it means and what to do", () => {
    const html = renderToStaticMarkup(
      <FailureList
        failures={[
          {
            kind: 'record',
            notebookPath: 'a <b>.ipynb',
            message: '<img src=x onerror=alert(1)>',
            status: 500,
            count: 1,
            since: 0,
            last: 0,
            canRetry: true
          }
        ]}
        now={30000}
      />
    );
    expect(html).toContain('500: &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('a &lt;b&gt;.ipynb');
    expect(html).not.toContain('<img');
    expect(html).toContain('Failed 30 s ago.');
    expect(html).toContain('Retry sends it again.');
  });

  it('says when nothing is failing', () => {
    expect(
      renderToStaticMarkup(<FailureList failures={[]} now={0} />)
    ).toContain('Nothing is failing');
  });
});
