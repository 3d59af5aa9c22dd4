/**
 * Galata (Playwright) configuration: JupyterLab with the Conveyor extension, in Debian's
 * Chromium. Never run `playwright install`; the browser is the system one.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const PORT = 8899; // must match jupyter_server_test_config.py

module.exports = {
  ...baseConfig,
  reporter: process.env.CI ? [['list']] : baseConfig.reporter,
  retries: 0,
  workers: 1,
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${PORT}`,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update'
      ]
    },
    // The default video recording needs Playwright's own ffmpeg download.
    video: 'off',
    trace: 'retain-on-failure'
  },
  webServer: {
    command: 'jupyter lab --config jupyter_server_test_config.py',
    url: `http://localhost:${PORT}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe'
  }
};
