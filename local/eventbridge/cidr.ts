/**
 * IPv4 and IPv6 CIDR ranges for the `cidr` event pattern operator. Addresses are
 * compared as unsigned integers (bigint, so IPv6's 128 bits fit) under a mask.
 */

/** A parsed CIDR block: its network address and how many leading bits are fixed. */
export interface CidrBlock {
  version: 4 | 6;
  network: bigint;
  prefixLength: number;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Decimal octets only, no leading zeros (`010` is octal in some parsers: refuse the ambiguity).
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tail = '';
  const doubleColon = text.indexOf('::');
  if (doubleColon !== -1) {
    if (text.indexOf('::', doubleColon + 1) !== -1) return undefined;
    head = text.slice(0, doubleColon);
    tail = text.slice(doubleColon + 2);
  }
  const toGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    const pieces = part.split(':');
    for (const [index, piece] of pieces.entries()) {
      // An embedded IPv4 address may end the address (::ffff:192.0.2.1).
      if (index === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
      groups.push(parseInt(piece, 16));
    }
    return groups;
  };
  const headGroups = toGroups(head);
  const tailGroups = toGroups(tail);
  if (!headGroups || !tailGroups) return undefined;
  const missing = 8 - headGroups.length - tailGroups.length;
  if (doubleColon === -1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...headGroups, ...Array<number>(Math.max(missing, 0)).fill(0), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

/** Parses an IP address (v4 or v6) into its version and integer value. */
export function parseIp(text: string): { version: 4 | 6; value: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

function mask(version: 4 | 6, prefixLength: number): bigint {
  const bits = version === 4 ? 32 : 128;
  return ((1n << BigInt(prefixLength)) - 1n) << BigInt(bits - prefixLength);
}

/** Parses `address/prefix`; undefined when it is not a valid CIDR block. */
export function parseCidr(text: string): CidrBlock | undefined {
  const slash = text.indexOf('/');
  if (slash === -1) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(lengthText)) return undefined;
  const prefixLength = Number(lengthText);
  if (prefixLength > (ip.version === 4 ? 32 : 128)) return undefined;
  return {
    version: ip.version,
    network: ip.value & mask(ip.version, prefixLength),
    prefixLength,
  };
}

/** Whether `address` (an IP address string) falls inside `block`. */
export function ipInCidr(address: string, block: CidrBlock): boolean {
  const ip = parseIp(address);
  if (!ip || ip.version !== block.version) return false;
  return (ip.value & mask(block.version, block.prefixLength)) === block.network;
}
