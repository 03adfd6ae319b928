import { precompiled, sqlCompiler, StatementShapes } from '../../src/database/typed-sql.js';

describe('precompiled statements', () => {
  it('refuse a statement that does not bind every value it is given', () => {
    expect(() =>
      precompiled(2, (db, tenantId = '') => db.selectFrom('tenants').where('id', '=', tenantId).select('id')),
    ).toThrow('A precompiled statement ignores a value');
  });
});

describe('statements by shape', () => {
  interface Lookup {
    slug: string;
    name?: string;
  }
  let builds = 0;
  const build = (input: Lookup) => {
    builds++;
    return sqlCompiler()
      .selectFrom('tenants')
      .where('slug', '=', input.slug)
      .$if(input.name !== undefined, (query) => query.where('name', '=', input.name ?? ''))
      .select('id');
  };
  const direct = (input: Lookup) => build(input).compile();

  beforeEach(() => {
    builds = 0;
  });

  it('build each shape once and run it with the values of each input', () => {
    const lookups = new StatementShapes<Lookup, { id: string }>(
      (input, bind) => ({ slug: bind(input.slug), name: input.name === undefined ? undefined : bind(input.name) }),
      (_db, input) => build(input),
    );
    const inputs: Lookup[] = [{ slug: 'a' }, { slug: 'b' }, { slug: 'c', name: 'C' }, { slug: 'd', name: 'D' }];
    const compiled = inputs.map((input) => lookups.compile(input));
    expect(builds).toBe(2);
    inputs.forEach((input, index) => {
      const { sql, parameters } = direct(input);
      expect(compiled[index]?.sql).toBe(sql);
      expect(compiled[index]?.parameters).toEqual(parameters);
    });
  });

  it('build from each input a shape whose statement does not bind a value as given', () => {
    const lowered = new StatementShapes<Lookup, { id: string }>(
      (input, bind) => ({ slug: bind(input.slug) }),
      (_db, input) => build({ slug: input.slug.toLowerCase() }),
    );
    expect(lowered.compile({ slug: 'AB' }).parameters).toEqual(['ab']);
    expect(lowered.compile({ slug: 'CD' }).parameters).toEqual(['cd']);
  });
});
