// "Firefox 133 on Windows" from a User-Agent header, for the security history. Parsed
// when shown (the audit row keeps the raw header); unknown agents say so.
import { UAParser } from 'ua-parser-js';

export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const { browser, os, device } = UAParser(userAgent);
  const name = browser.name ? `${browser.name}${browser.major ? ` ${browser.major}` : ''}` : null;
  const system = os.name ? `${os.name}${os.version ? ` ${os.version}` : ''}` : null;
  const kind = device.type === 'mobile' ? 'phone' : device.type === 'tablet' ? 'tablet' : null;
  if (name && system) return `${name} on ${system}${kind ? ` (${kind})` : ''}`;
  if (name) return name;
  if (system) return system;
  // Programs (curl, SDKs, our tests) identify themselves by a product token.
  const product = /^[\w.-]{1,40}/.exec(userAgent)?.[0];
  return product ? `Program: ${product}` : 'Unknown device';
}
