import { describe, expect, it } from 'vitest';
import { browserCommand } from './open-browser.ts';
import { allowedHost, newToken } from './security.ts';

describe('the Host check against DNS rebinding', () => {
  it('allows 127.0.0.1 and localhost, with or without a port', () => {
    for (const host of ['127.0.0.1', '127.0.0.1:7700', 'localhost', 'LOCALHOST:80'])
      expect(allowedHost(host)).toBe(true);
  });
  it('refuses every other name, a missing Host, and look-alikes', () => {
    for (const host of [
      undefined,
      '',
      'evil.example',
      'localhost.evil.example',
      '127.0.0.1.nip.io:7700',
      '0.0.0.0:7700',
      '[::1]:7700',
    ])
      expect(allowedHost(host)).toBe(false);
  });
});

describe('tokens', () => {
  it('are long and never repeat', () => {
    const a = newToken();
    expect(a).toMatch(/^[\w-]{24}$/);
    expect(newToken()).not.toBe(a);
  });
});

describe('opening a browser', () => {
  it('only where there is a desktop or a display', () => {
    expect(browserCommand('linux', {})).toBeUndefined();
    expect(browserCommand('linux', { DISPLAY: ':0' })).toEqual(['xdg-open']);
    expect(browserCommand('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toEqual(['xdg-open']);
    expect(browserCommand('darwin', {})).toEqual(['open']);
  });
});
