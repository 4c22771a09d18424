// The SVG's script in a real headless Chromium, opened from a file:// URL with no network: hover, zoom, search.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { renderFlameGraph } from '../../src/flamegraph/index.js';

const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) console.log(`flamegraph browser test skipped: no Chromium at ${chromiumPath} (apt-get install chromium)`);

const cpu = readFileSync(new URL('./fixtures/cpu.folded', import.meta.url), 'utf8');
const searchColor = 'rgb(230,0,230)';

describe.skipIf(!haveChromium)('flame graph in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bpfkit-fg-browser-'));
    const file = join(dir, 'cpu.svg');
    writeFileSync(file, renderFlameGraph(cpu, { title: 'CPU profile', subtitle: 'browser test' }));
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1220, height: 520 } });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction('window.flamegraph !== undefined');
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const frame = (name: string): Locator =>
    page.locator('#frames > g').filter({ has: page.locator('title', { hasText: new RegExp(`^${name} \\(`) }) });
  const rectOf = async (name: string): Promise<{ x: number; width: number }> => {
    const rect = frame(name).locator('rect');
    return { x: Number(await rect.getAttribute('x')), width: Number(await rect.getAttribute('width')) };
  };

  it('loads nothing but the file', () => {
    expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
  });

  it('shows name, samples and percent on hover', async () => {
    await frame('list_sort_impl').hover();
    expect(await page.locator('#details').textContent()).toBe('Function: list_sort_impl (68 samples, 20.80%)');
    await page.mouse.move(5, 5);
    expect(await page.locator('#details').textContent()).toBe(' ');
  });

  it('zooms into a clicked frame and resets', async () => {
    const before = await rectOf('list_sort_impl');
    expect(before.width).toBeLessThan(1180);
    await frame('list_sort_impl').click();
    // The clicked frame now spans the graph; frames beside it are hidden, its ancestors are marked.
    expect(await rectOf('list_sort_impl')).toEqual({ x: 10, width: 1180 });
    expect(await frame('merge_collapse').getAttribute('class')).toBeNull();
    expect(await frame('pymalloc_alloc').getAttribute('class')).toBe('hide');
    expect(await frame('bash').getAttribute('class')).toBe('hide');
    expect(await frame('python3').getAttribute('class')).toBe('parent');
    // count_run has 41 of list_sort_impl's 68 samples.
    const child = await rectOf('count_run');
    expect(child.width).toBeCloseTo((1180 * 41) / 68, 0);
    expect(await page.locator('#unzoom').isVisible()).toBe(true);
    const shotDir = process.env['FLAMEGRAPH_SCREENSHOT_DIR'];
    if (shotDir) await page.screenshot({ path: join(shotDir, 'flamegraph-zoomed.png') });

    await page.locator('#unzoom').click();
    expect(await rectOf('list_sort_impl')).toEqual(before);
    expect(await page.locator('#frames > g.hide').count()).toBe(0);
    expect(await page.locator('#unzoom').isVisible()).toBe(false);
  });

  it('highlights frames matching a regular expression typed into the search prompt', async () => {
    page.once('dialog', (dialog) => void dialog.accept('^(vfs_read|ksys_read|n_tty_read)$'));
    await page.locator('#search').click();
    const matches = page.locator('#frames > g.match');
    expect(await matches.count()).toBe(3);
    expect(await matches.first().locator('rect').getAttribute('fill')).toBe(searchColor);
    // Nested matches count once: ksys_read's 30 samples of 327.
    expect(await page.locator('#matched').textContent()).toBe('Matched: 9.2%');

    // The hook gives the same answer; clicking "Reset Search" clears it.
    // do_syscall_64 is under four different paths: 12 + 9 + 30 + 18 samples.
    const result = await page.evaluate('window.flamegraph.search("^do_syscall_64$")');
    expect(result).toEqual({ count: 4, percent: (100 * 69) / 327 });
    await page.locator('#search').click();
    expect(await page.locator('#frames > g.match').count()).toBe(0);
    expect(await page.locator('#matched').isVisible()).toBe(false);
  });

  it('renders a picture worth looking at', async () => {
    await frame('python3').hover();
    await page.evaluate('window.flamegraph.search("^_?PyEval")');
    const shot = join(process.env['FLAMEGRAPH_SCREENSHOT_DIR'] ?? dir, 'flamegraph.png');
    await page.screenshot({ path: shot });
    if (process.env['FLAMEGRAPH_SCREENSHOT_DIR']) console.log(`flamegraph screenshot: ${shot}`);
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    await page.evaluate('window.flamegraph.clearSearch()');
  });
});
