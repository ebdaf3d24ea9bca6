// A session's user agent as a person recognises it: "Firefox 128 on Windows 10, desktop".
// Parsed for display only (ua-parser-js); nothing is decided from it.
import { UAParser } from 'ua-parser-js';

export type DeviceSummary = { browser: string; os: string; device: string };

const DEVICE_TYPES: Readonly<Record<string, string>> = {
  mobile: 'Phone',
  tablet: 'Tablet',
  smarttv: 'TV',
  console: 'Games console',
  wearable: 'Wearable',
  xr: 'Headset',
  embedded: 'Embedded device',
};

function joined(...parts: (string | undefined)[]): string {
  return parts.filter((p) => p && p.trim()).join(' ');
}

export function describeDevice(userAgent: string | null | undefined): DeviceSummary {
  if (!userAgent) return { browser: 'Unknown browser', os: 'Unknown system', device: 'Unknown device' };
  const { browser, os, device } = UAParser(userAgent.slice(0, 500));
  const major = browser.major ?? browser.version?.split('.')[0];
  const kind = device.type ? (DEVICE_TYPES[device.type] ?? device.type) : 'Computer';
  return {
    browser: joined(browser.name, major) || 'Unknown browser',
    os: joined(os.name, os.version) || 'Unknown system',
    device: joined(device.vendor, device.model) ? `${kind} (${joined(device.vendor, device.model)})` : kind,
  };
}
