/**
 * Recipients as they may be shown and stored outside the provider: enough to recognise
 * them in support, not enough to contact anyone. Full addresses only ever go to the
 * provider.
 */

const MASK = '***';

/** `alice@example.com` → `a***@example.com`. Something that is not an address is masked like an id. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return maskIdentifier(email);
  return `${email.slice(0, 1)}${MASK}${email.slice(at)}`;
}

/** A letters-only namespace such as `cust-` or `user_` is not personal: it stays visible. */
const NAMESPACE = /^[A-Za-z]{1,8}[-_]/;

/**
 * `cust-1001` → `cust-***01`: the namespace prefix (if any) stays visible, and so do the
 * last two characters when at least as many stay hidden; a short id shows nothing more.
 */
export function maskIdentifier(id: string): string {
  const namespace = NAMESPACE.exec(id)?.[0] ?? '';
  const rest = id.slice(namespace.length);
  const tail = rest.length >= 4 ? rest.slice(-2) : '';
  return `${namespace}${MASK}${tail}`;
}
