import { ConfigurationError, loadConfig } from '../../src/config/configuration.js';

describe('loadConfig', () => {
  it('has working defaults for a developer machine', () => {
    const config = loadConfig({});
    expect(config.http).toMatchObject({ port: 3000, corsOrigins: [], trustProxy: false });
    expect(config.auth).toMatchObject({
      bcryptCost: 12,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2_592_000,
    });
    expect(config.database.url).toBeUndefined(); // the embedded PostgreSQL
  });

  it('parses lists and flags', () => {
    const config = loadConfig({
      CORS_ORIGINS: 'https://a.example, https://b.example',
      TRUST_PROXY: '10.0.0.0/8,127.0.0.1',
    });
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.http.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });

  it('refuses to run in production without a JWT secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required/);
  });

  it('refuses to run in production without a database URL (no embedded PostgreSQL there)', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) })).toThrow(
      /DATABASE_URL is required/,
    );
  });

  it('refuses a bcrypt cost under 12 in production', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgres://db/yello' };
    expect(() => loadConfig({ ...production, BCRYPT_COST: '10' })).toThrow(ConfigurationError);
  });

  it('refuses a per-email login ceiling that one client could reach on its own', () => {
    expect(() => loadConfig({ RATE_LIMIT_AUTH_PER_MINUTE: '10', RATE_LIMIT_LOGIN_EMAIL_PER_MINUTE: '10' })).toThrow(
      /RATE_LIMIT_LOGIN_EMAIL_PER_MINUTE must be greater/,
    );
  });

  it.each([
    ['a short JWT secret', { JWT_SECRET: 'too-short' }],
    ['a non-numeric port', { PORT: 'eighty' }],
    ['a non-PostgreSQL database URL', { DATABASE_URL: 'mysql://localhost/yello' }],
    ['an unknown log level', { LOG_LEVEL: 'loud' }],
    ['a negative number of parallel workers', { DATABASE_MAX_PARALLEL_WORKERS_PER_GATHER: '-1' }],
  ])('names %s', (_case, environment) => {
    expect(() => loadConfig(environment)).toThrow(ConfigurationError);
  });
});
