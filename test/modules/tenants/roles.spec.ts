import { canChangeRole, hasAtLeast, ROLES, type Role } from '../../../src/modules/tenants/roles.js';
import { slugFromName } from '../../../src/modules/tenants/slug.js';

describe('roles', () => {
  it('orders owner > admin > member > viewer', () => {
    expect(ROLES.filter((role) => hasAtLeast(role, 'member'))).toEqual(['owner', 'admin', 'member']);
    expect(hasAtLeast('viewer', 'viewer')).toBe(true);
    expect(hasAtLeast('admin', 'owner')).toBe(false);
  });

  // actor, from (null: invitee), to (null: removed) → allowed
  it.each<[Role, Role | null, Role | null, boolean]>([
    ['owner', 'member', 'owner', true],
    ['owner', 'owner', 'admin', true],
    ['owner', 'owner', null, true],
    ['owner', null, 'owner', true],
    ['admin', 'member', 'admin', true],
    ['admin', 'viewer', null, true],
    ['admin', null, 'admin', true],
    ['admin', 'member', 'owner', false],
    ['admin', 'owner', 'admin', false],
    ['admin', 'owner', null, false],
    ['admin', null, 'owner', false],
    ['member', 'viewer', 'member', false],
    ['viewer', null, 'viewer', false],
  ])('%s moving %s to %s: %s', (actor, from, to, allowed) => {
    expect(canChangeRole(actor, from, to)).toBe(allowed);
  });
});

describe('slugFromName', () => {
  it.each([
    ['Acme Robotics', 'acme-robotics'],
    ['  Café Zürich & Co. ', 'cafe-zurich-co'],
    ['ÅNGSTRÖM 2026!!', 'angstrom-2026'],
    ['a'.repeat(60), 'a'.repeat(40)],
    [`${'word '.repeat(8)}end`, 'word-word-word-word-word-word-word-word'],
  ])('%j → %j', (name, slug) => {
    expect(slugFromName(name)).toBe(slug);
  });

  it.each([['X'], ['🚀🚀'], ['--']])('pads the too-short %j to a valid slug', (name) => {
    expect(slugFromName(name)).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(slugFromName(name).length).toBeGreaterThanOrEqual(3);
  });
});
