import { precompiled } from '../../src/database/typed-sql.js';

describe('precompiled statements', () => {
  it('refuse a statement that does not bind every value it is given', () => {
    expect(() =>
      precompiled(2, (db, tenantId = '') => db.selectFrom('tenants').where('id', '=', tenantId).select('id')),
    ).toThrow('A precompiled statement ignores a value');
  });
});
