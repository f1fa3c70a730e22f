/**
 * Playwright configuration: galata's defaults, Debian's Chromium (Playwright
 * cannot download its own browser here), one worker, no video.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// UI_TEST_PORT lets two checkouts run their browser tests side by side.
const port = process.env.UI_TEST_PORT || '8888';

module.exports = {
  ...baseConfig,
  workers: 1,
  reporter: [['list']],
  retries: process.env.CI ? 1 : 0,
  timeout: 120000,
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${port}`,
    video: 'off',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    }
  },
  webServer: {
    command: 'jlpm start',
    url: `http://localhost:${port}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
