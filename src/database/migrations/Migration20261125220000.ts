import { Migration } from '@mikro-orm/migrations';
import { domainToASCII } from 'node:url';

// A frozen copy of `normalizeEmail` as of this migration: later changes to the app's
// normalisation must not change what this migration did.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}]/u;

function normalize(email: string): string | null {
  const normalized = email.normalize('NFKC').trim().toLowerCase();
  if (INVISIBLE.test(normalized)) return null;
  const at = normalized.lastIndexOf('@');
  const ascii = at < 0 ? '' : domainToASCII(normalized.slice(at + 1));
  return ascii ? `${normalized.slice(0, at)}@${ascii}` : normalized;
}

interface Row {
  id: string;
  email: string;
}

/**
 * Stored emails in their new canonical form (NFKC, trimmed, lower-cased, punycode
 * domain). Nothing is merged or deleted:
 * - users: a row already in canonical form keeps its email; otherwise the oldest account
 *   gets the canonical form and a later one that would collide keeps its stored email
 *   (it can no longer sign in by email until an operator resolves it), as does an email
 *   with invisible characters. Their ids are printed.
 * - invitations: all take the canonical form; of two open invitations of a tenant that
 *   become the same email, the newest stays open and the older ones are revoked.
 */
export class Migration20261125220000 extends Migration {
  override name = 'Migration20261125220000';

  override async up(): Promise<void> {
    const users = (await this.execute('select id, email from users order by created_at, id')).map((row): Row => ({
      id: String(row.id),
      email: String(row.email),
    }));
    const emails = new Set(users.map((user) => user.email));
    const leftAlone: string[] = [];
    for (const user of users) {
      const email = normalize(user.email);
      if (email === user.email) continue;
      if (email === null || emails.has(email)) {
        leftAlone.push(user.id);
        continue;
      }
      emails.delete(user.email);
      emails.add(email);
      await this.execute('update users set email = ? where id = ?', [email, user.id]);
    }
    if (leftAlone.length > 0) {
      console.warn(
        `Emails of users ${leftAlone.join(', ')} left as stored: they collide once normalised or carry invisible characters`,
      );
    }

    const invitations = (
      await this.execute(
        'select id, tenant_id, email, accepted_at is null and revoked_at is null as open from invitations order by created_at desc, id desc',
      )
    ).map((row) => ({
      id: String(row.id),
      tenantId: String(row.tenant_id),
      email: String(row.email),
      open: row.open === true,
    }));
    const open = new Set<string>();
    const updates: { id: string; email: string; superseded: boolean }[] = [];
    for (const invitation of invitations) {
      const email = normalize(invitation.email) ?? invitation.email;
      const key = `${invitation.tenantId} ${email}`;
      const superseded = invitation.open && open.has(key);
      if (invitation.open) open.add(key);
      if (email !== invitation.email || superseded) updates.push({ id: invitation.id, email, superseded });
    }
    // Revocations first: two open invitations never share an email, even for a moment.
    for (const update of updates.filter((candidate) => candidate.superseded)) {
      await this.execute('update invitations set email = ?, revoked_at = now() where id = ?', [
        update.email,
        update.id,
      ]);
    }
    for (const update of updates.filter((candidate) => !candidate.superseded)) {
      await this.execute('update invitations set email = ? where id = ?', [update.email, update.id]);
    }
  }

  override down(): void {
    // Normalisation cannot be undone: the original spellings are not kept.
  }
}
